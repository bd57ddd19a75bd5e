use crate::{GraphError, RevisionMap};

impl RevisionMap {
    /// The parents of a new revision (`revision --head`) or merge point (`merge REV...`), as
    /// Alembic's `generate_revision` resolves them: each must be a head unless `splice`.
    pub fn new_revision_parents(
        &self,
        heads: &[String],
        splice: bool,
    ) -> Result<Vec<String>, GraphError> {
        let mut parents: Vec<usize> = Vec::new();
        for h in heads {
            let found = self.get_revisions(h).map_err(|e| match e {
                GraphError::MultipleHeads { heads, .. } => GraphError::Merge(format!(
                    "several heads are present ({}); name the head the new revision should follow, or merge them first",
                    heads.join(", ")
                )),
                other => other,
            })?;
            parents.extend(found);
        }
        let mut seen = parents.clone();
        seen.sort_unstable();
        seen.dedup();
        if seen.len() != parents.len() {
            return Err(GraphError::Merge("the same revision is named twice".into()));
        }
        if !splice {
            if let Some(&p) = parents.iter().find(|&&p| !self.nodes[p].next.is_empty()) {
                return Err(GraphError::Merge(format!(
                    "revision '{}' is not a head; pass --splice to start a new branch from it",
                    self.id(p)
                )));
            }
        }
        Ok(self.ids(parents))
    }

    /// The parents of a new revision after `head` (`revision --head`): none in a project
    /// without revisions, where the new one is the first.
    pub fn parents_of_new_revision(
        &self,
        head: &str,
        splice: bool,
    ) -> Result<Vec<String>, GraphError> {
        if self.is_empty() {
            return Ok(Vec::new());
        }
        self.new_revision_parents(&[head.to_string()], splice)
    }

    /// The parents of a merge point joining `wanted` (every head when empty). Refused when they
    /// come to one revision: Alembic would write a "merge" with a single parent.
    pub fn merge_parents(
        &self,
        wanted: &[String],
        splice: bool,
    ) -> Result<Vec<String>, GraphError> {
        let wanted = if wanted.is_empty() {
            vec!["heads".to_string()]
        } else {
            wanted.to_vec()
        };
        let parents = self.new_revision_parents(&wanted, splice)?;
        if parents.len() >= 2 {
            return Ok(parents);
        }
        Err(GraphError::Merge(if wanted == ["heads"] {
            format!(
                "nothing to merge: the project has only one head ({})",
                parents.join(", ")
            )
        } else {
            format!(
                "nothing to merge: {} resolve(s) to a single revision ({})",
                wanted.join(" "),
                parents.join(", ")
            )
        }))
    }

    /// `depends_on` entries of a new revision: partial ids resolved, branch labels kept as written.
    pub fn resolve_depends_on(&self, deps: &[String]) -> Result<Vec<String>, GraphError> {
        deps.iter()
            .map(|d| {
                let r = self.get_revision(d)?.ok_or_else(|| GraphError::NotFound {
                    ident: d.clone(),
                    short: false,
                })?;
                Ok(if self.nodes[r].labels.contains(d) {
                    d.clone()
                } else {
                    self.id(r).to_string()
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::{Revision, RevisionMap};

    fn map(revisions: Vec<Revision>) -> RevisionMap {
        RevisionMap::new(revisions).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_first_revision_of_a_project_has_no_parents_and_later_ones_follow_the_head() {
        assert_eq!(
            map(vec![]).parents_of_new_revision("head", false).ok(),
            Some(vec![])
        );
        let two = map(vec![Revision::new("a", &[]), Revision::new("b", &["a"])]);
        assert_eq!(
            two.parents_of_new_revision("head", false).ok(),
            Some(vec!["b".to_string()])
        );
    }

    #[test]
    fn a_merge_joins_every_head_and_refuses_a_single_one() {
        let branched = map(vec![
            Revision::new("a", &[]),
            Revision::new("b", &["a"]),
            Revision::new("c", &["a"]),
        ]);
        let mut parents = branched
            .merge_parents(&[], false)
            .unwrap_or_else(|e| panic!("{e}"));
        parents.sort();
        assert_eq!(parents, ["b", "c"]);

        let merged = map(vec![
            Revision::new("a", &[]),
            Revision::new("b", &["a"]),
            Revision::new("c", &["a"]),
            Revision::new("m", &["b", "c"]),
        ]);
        let one_head = merged.merge_parents(&[], false).map_err(|e| e.to_string());
        assert_eq!(
            one_head,
            Err("nothing to merge: the project has only one head (m)".to_string())
        );
        let one_named = merged
            .merge_parents(&["m".to_string()], false)
            .map_err(|e| e.to_string());
        assert_eq!(
            one_named,
            Err("nothing to merge: m resolve(s) to a single revision (m)".to_string())
        );
    }
}
