use thiserror::Error;

/// Everything that can be wrong with a revision graph or a target, in words a user can act on.
///
/// Where Alembic raises a raw `AssertionError` or `KeyError`, Stratum has a variant of its own.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GraphError {
    // --- loading ---
    #[error("revision '{revision}' lists itself as its down_revision")]
    SelfLoop { revision: String },
    #[error("revision '{revision}' lists itself in depends_on")]
    DependencySelfLoop { revision: String },
    #[error("revision id '{revision}' contains {chars}, which revision ids may not contain")]
    IllegalCharacters { revision: String, chars: String },
    #[error("revision id '{revision}' is not allowed: {reason}")]
    InvalidId { revision: String, reason: String },
    #[error("revision '{revision}' is defined more than once")]
    Duplicate { revision: String },
    #[error(
        "branch label '{label}' of revision '{revision}' is already used by revision '{other}'"
    )]
    LabelCollision {
        label: String,
        revision: String,
        other: String,
    },
    #[error("revision '{revision}' depends on '{dependency}', which is neither a revision id nor a branch label")]
    UnknownDependency {
        revision: String,
        dependency: String,
    },
    #[error("revision '{revision}' has down_revision '{parent}', which does not exist")]
    MissingParent { revision: String, parent: String },
    #[error("the revisions {} form a cycle", list(.revisions))]
    Cycle { revisions: Vec<String> },
    #[error("the revisions {} form a cycle through depends_on", list(.revisions))]
    DependencyCycle { revisions: Vec<String> },

    // --- identifiers ---
    #[error("no revision or branch label '{ident}'{}", if *.short { " (a partial id needs at least four characters)" } else { "" })]
    NotFound { ident: String, short: bool },
    #[error("'{ident}' matches several revisions: {}", list(.candidates))]
    AmbiguousPrefix {
        ident: String,
        candidates: Vec<String>,
    },
    #[error("no branch '{label}'")]
    NoSuchBranch { label: String },
    #[error("revision '{revision}' is not on branch '{label}'")]
    NotOnBranch { revision: String, label: String },
    #[error("'{argument}' is ambiguous: there are several heads ({}); name one of them, use '<branch label>@{argument}', or 'heads' for all of them", list(.heads))]
    MultipleHeads {
        argument: String,
        heads: Vec<String>,
    },
    #[error("the target is empty")]
    EmptyTarget,
    #[error("'{target}': {reason}")]
    BadTarget { target: String, reason: String },

    // --- walks and plans ---
    #[error("'{target}' is ambiguous: the walk reaches a branch or merge point with more than one way to go")]
    AmbiguousWalk { target: String },
    #[error("'{target}' walks past the end of the revision history")]
    WalkedTooFar { target: String },
    #[error("'{target}' needs {steps} revision(s) but the history has fewer in that direction")]
    RelativeTooFar { target: String, steps: u64 },
    #[error("'{target}' is relative to the database, but the database is at several revisions ({}); use '<branch label>@{target}' or an absolute target", list(.rows))]
    AmbiguousRelative { target: String, rows: Vec<String> },
    #[error("'{target}' is not a valid downgrade target from the current revisions ({}): it is not below them", list(.rows))]
    NotADowngradeTarget { target: String, rows: Vec<String> },
    #[error("revision '{revision}' and {} are on the same line of history; list only the newest", list(.others))]
    Overlap {
        revision: String,
        others: Vec<String>,
    },
    #[error("the database has version rows {} that are on the same line of history; an earlier run left it inconsistent", list(.rows))]
    OverlappingRows { rows: Vec<String> },
    #[error("the database is at '{row}', which is not a revision of this project")]
    UnknownRow { row: String },
    #[error("cannot record revision '{revision}' in the version table: {reason}")]
    VersionTable { revision: String, reason: String },

    // --- merge / revision ---
    #[error("{0}")]
    Merge(String),
}

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("'{i}'"))
        .collect::<Vec<_>>()
        .join(", ")
}
