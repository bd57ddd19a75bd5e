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
