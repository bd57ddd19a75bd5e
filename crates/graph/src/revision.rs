use crate::GraphError;

/// One revision as a project file declares it. Lists keep the order written in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revision {
    pub id: String,
    pub down_revisions: Vec<String>,
    pub branch_labels: Vec<String>,
    pub depends_on: Vec<String>,
}

impl Revision {
    pub fn new(id: impl Into<String>, down: &[&str]) -> Self {
        Revision {
            id: id.into(),
            down_revisions: down.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }
}

/// Alembic forbids `@ - + :` in ids because the target grammar uses them; Stratum also refuses
/// the keywords `head`, `heads` and `base` (Alembic shadows such revisions and then crashes), an
/// empty id, and whitespace or commas (they cannot be written in a header list).
pub fn validate_revision_id(id: &str) -> Result<(), GraphError> {
    let mut bad: Vec<char> = id
        .chars()
        .filter(|c| matches!(c, '@' | '-' | '+' | ':'))
        .collect();
    bad.sort_unstable();
    bad.dedup();
    if !bad.is_empty() {
        let chars = bad
            .iter()
            .map(|c| format!("'{c}'"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(GraphError::IllegalCharacters {
            revision: id.to_string(),
            chars,
        });
    }
    let reason = if id.is_empty() {
        Some("it is empty")
    } else if matches!(id, "head" | "heads" | "base") {
        Some("it is a keyword of the target grammar")
    } else if id.chars().any(|c| c.is_whitespace() || c == ',') {
        Some("it contains whitespace or a comma")
    } else if id.chars().count() > 32 {
        Some("it is longer than 32 characters, the width of alembic_version.version_num")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(GraphError::InvalidId {
            revision: id.to_string(),
            reason: reason.into(),
        }),
        None => Ok(()),
    }
}
