use crate::{GraphError, RevisionMap};

impl RevisionMap {
    /// Every revision, newest first, in the order `alembic history` prints them.
    pub fn history(&self) -> Vec<String> {
        let all: std::collections::HashSet<usize> = self.ancestors(&self.real_heads, true);
        let order = self.topo_sort(&all, &self.real_heads);
        self.ids(order)
    }

    /// `alembic current`: the rows plus what they imply, reduced to branch tips.
    pub fn current(&self, rows: &[String]) -> Result<Vec<String>, GraphError> {
        let idx = self.resolve_rows(rows)?;
        Ok(self.ids(self.all_current(&idx)))
    }

    /// The revisions `upgrade heads` would run from these rows, in order.
    pub fn pending(&self, rows: &[String]) -> Result<Vec<String>, GraphError> {
        if self.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .plan_upgrade(rows, "heads")?
            .steps
            .into_iter()
            .map(|s| s.revision)
            .collect())
    }
}
