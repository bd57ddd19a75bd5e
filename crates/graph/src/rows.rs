//! Alembic's `HeadMaintainer`: which `alembic_version` rows each step inserts, deletes or
//! updates, so that there is always one row per independent head.

use crate::{GraphError, RevisionMap, VersionOp};

/// The version table as a list of rows in table order, with Alembic's checks on each change.
pub(crate) struct Table<'a> {
    pub rows: &'a mut Vec<String>,
    pub ops: Vec<VersionOp>,
    pub revision: String,
}

impl Table<'_> {
    fn has(&self, r: &str) -> bool {
        self.rows.iter().any(|x| x == r)
    }

    pub fn fail(&self, reason: String) -> GraphError {
        GraphError::VersionTable {
            revision: self.revision.clone(),
            reason,
        }
    }

    pub fn insert(&mut self, r: &str) -> Result<(), GraphError> {
        if self.has(r) {
            return Err(self.fail(format!("'{r}' is already a version row")));
        }
        self.rows.push(r.to_string());
        self.ops.push(VersionOp::Insert {
            revision: r.to_string(),
        });
        Ok(())
    }

    pub fn delete(&mut self, r: &str) -> Result<(), GraphError> {
        let Some(at) = self.rows.iter().position(|x| x == r) else {
            return Err(self.fail(format!("there is no version row '{r}' to delete")));
        };
        self.rows.remove(at);
        self.ops.push(VersionOp::Delete {
            revision: r.to_string(),
        });
        Ok(())
    }

    pub fn update(&mut self, from: &str, to: &str) -> Result<(), GraphError> {
        if self.has(to) {
            return Err(self.fail(format!("'{to}' is already a version row")));
        }
        let Some(at) = self.rows.iter().position(|x| x == from) else {
            return Err(self.fail(format!(
                "there is no version row '{from}' to move to '{to}'"
            )));
        };
        self.rows[at] = to.to_string();
        self.ops.push(VersionOp::Update {
            from: from.to_string(),
            to: to.to_string(),
        });
        Ok(())
    }
}

impl RevisionMap {
    fn ancestors_of_ids(&self, ids: &[&String]) -> std::collections::HashSet<usize> {
        let idx: Vec<usize> = ids
            .iter()
            .filter_map(|r| self.revision_for_ident(r, None).ok())
            .collect();
        self.ancestors(&idx, true)
    }

    /// Version-row changes for running revision `r` up or down, applied to `rows`.
    pub(crate) fn revision_ops(
        &self,
        rows: &mut Vec<String>,
        r: usize,
        up: bool,
    ) -> Result<Vec<VersionOp>, GraphError> {
        let id = self.id(r).to_string();
        let d: Vec<String> = self.ids(self.nodes[r].norm_down.iter().copied());
        let in_table: Vec<String> = d.iter().filter(|x| rows.contains(x)).cloned().collect();
        let mut t = Table {
            rows,
            ops: Vec::new(),
            revision: id.clone(),
        };
        if up {
            if d.is_empty() || in_table.is_empty() {
                t.insert(&id)?;
            } else if d.len() > 1 && in_table.len() > 1 {
                let others: Vec<&String> = t.rows.iter().filter(|x| !d.contains(x)).collect();
                let from: Vec<String> = if others.is_empty() {
                    d.clone()
                } else {
                    let anc = self.ancestors_of_ids(&others);
                    d.iter()
                        .filter(|x| self.index_of(x).is_none_or(|i| !anc.contains(&i)))
                        .cloned()
                        .collect()
                };
                let Some((last, rest)) = from.split_last() else {
                    return Err(t.fail("no parent row is left to merge".into()));
                };
                for x in rest {
                    t.delete(x)?;
                }
                t.update(last, &id)?;
            } else {
                let parent = self.single_parent_row(&d, &in_table, &t)?;
                t.update(&parent, &id)?;
            }
        } else {
            let present = t.rows.contains(&id);
            let unmerge_to = if present {
                self.unmerge_to(t.rows, &id, &d)
            } else {
                Vec::new()
            };
            if present && (d.is_empty() || unmerge_to.is_empty()) {
                t.delete(&id)?;
            } else if present && d.len() > 1 {
                if let Some((last, rest)) = unmerge_to.split_last() {
                    for x in rest {
                        t.insert(x)?;
                    }
                    t.update(&id, last)?;
                }
            } else {
                let parent = self.single_parent_row(&d, &in_table, &t)?;
                t.update(&id, &parent)?;
            }
        }
        Ok(t.ops)
    }

    fn single_parent_row(
        &self,
        d: &[String],
        in_table: &[String],
        t: &Table<'_>,
    ) -> Result<String, GraphError> {
        if d.len() == 1 {
            return Ok(d[0].clone());
        }
        match in_table {
            [one] => Ok(one.clone()),
            _ => Err(t.fail(format!(
                "the rows do not say which of its parents ({}) to move; the version table is inconsistent",
                d.join(", ")
            ))),
        }
    }

    /// The parents a downgraded merge point leaves as rows: those no other row already implies.
    fn unmerge_to(&self, rows: &[String], id: &str, d: &[String]) -> Vec<String> {
        let others: Vec<&String> = rows.iter().filter(|x| *x != id).collect();
        if !others.is_empty() {
            let anc = self.ancestors_of_ids(&others);
            d.iter()
                .filter(|x| self.index_of(x).is_none_or(|i| !anc.contains(&i)))
                .cloned()
                .collect()
        } else if d.len() <= 1 {
            d.to_vec()
        } else {
            let implied: std::collections::HashSet<usize> = d
                .iter()
                .filter_map(|x| self.index_of(x))
                .flat_map(|i| {
                    self.ancestors(&[i], true)
                        .into_iter()
                        .filter(move |a| *a != i)
                })
                .collect();
            d.iter()
                .filter(|x| self.index_of(x).is_none_or(|i| !implied.contains(&i)))
                .cloned()
                .collect()
        }
    }
}
