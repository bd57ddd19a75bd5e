use crate::plan::{Direction, Plan, Step};
use crate::rows::Table;
use crate::{GraphError, RevisionMap};

/// Alembic's `StampStep`: rows move from `from` to `to` with no migration code.
struct StampStep {
    from: Vec<String>,
    to: Vec<String>,
    up: bool,
    branch_move: bool,
}

impl RevisionMap {
    /// `stamp <targets...>`: set the version rows without running migrations, as Alembic does.
    /// Stamp has no relative syntax; `purge` empties the table first.
    pub fn plan_stamp(
        &self,
        rows: &[String],
        targets: &[String],
        purge: bool,
    ) -> Result<Plan, GraphError> {
        let start: Vec<String> = if purge { Vec::new() } else { rows.to_vec() };
        let current = self.resolve_rows(&start)?;
        let base = ["base".to_string()];
        let dests_typed: &[String] = if targets.is_empty() { &base } else { targets };
        let mut filtered: Vec<usize> = Vec::new();
        for d in dests_typed {
            if d.is_empty() {
                return Err(GraphError::EmptyTarget);
            }
            for h in self.filter_for_lineage(&current, d, true)? {
                if !filtered.contains(&h) {
                    filtered.push(h);
                }
            }
        }
        let mut dests: Vec<usize> = Vec::new();
        for d in dests_typed {
            dests.extend(self.get_revisions(d)?);
        }
        let filtered_ids = self.ids(filtered.iter().copied());
        let mut steps = Vec::new();
        if dests.is_empty() {
            for h in &filtered_ids {
                steps.push(StampStep {
                    from: vec![h.clone()],
                    to: vec![],
                    up: false,
                    branch_move: true,
                });
            }
        }
        for &dest in &dests {
            if filtered.contains(&dest) {
                continue;
            }
            let below = self.descendants(&[dest], true);
            let above = self.ancestors(&[dest], true);
            let to = vec![self.id(dest).to_string()];
            if filtered.iter().any(|h| below.contains(h)) {
                steps.push(StampStep {
                    from: filtered_ids.clone(),
                    to,
                    up: false,
                    branch_move: false,
                });
            } else if filtered.iter().any(|h| above.contains(h)) {
                steps.push(StampStep {
                    from: filtered_ids.clone(),
                    to,
                    up: true,
                    branch_move: false,
                });
            } else {
                steps.push(StampStep {
                    from: vec![],
                    to,
                    up: true,
                    branch_move: true,
                });
            }
        }
        let mut table = start.clone();
        let mut planned = Vec::with_capacity(steps.len());
        for s in steps {
            let revision = s.to.first().or(s.from.first()).cloned().unwrap_or_default();
            let mut t = Table {
                rows: &mut table,
                ops: Vec::new(),
                revision: revision.clone(),
            };
            let missing_from = s.from.iter().any(|f| !t.rows.contains(f));
            let new_to = s.to.iter().any(|x| !t.rows.contains(x));
            if !s.up && s.branch_move {
                t.delete(&s.from[0])?;
            } else if s.up && (s.branch_move || missing_from) && new_to {
                t.insert(&s.to[0])?;
            } else if s.from.len() > 1 {
                let (last, rest) = s.from.split_last().unwrap_or((&s.from[0], &[]));
                for x in rest {
                    t.delete(x)?;
                }
                t.update(last, &s.to[0])?;
            } else if let ([f], [to]) = (s.from.as_slice(), s.to.as_slice()) {
                t.update(f, to)?;
            } else {
                return Err(t.fail("the stamp targets overlap; stamp them one at a time".into()));
            }
            let ops = t.ops;
            planned.push(Step {
                revision,
                direction: Direction::Stamp,
                from: s.from,
                to: s.to,
                version_ops: ops,
                rows_after: table.clone(),
            });
        }
        Ok(Plan {
            direction: Direction::Stamp,
            target: dests_typed.join(" "),
            rows_before: rows.to_vec(),
            steps: planned,
            rows_after: table,
            purge,
        })
    }
}
