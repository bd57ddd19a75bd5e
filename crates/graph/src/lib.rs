//! Alembic's revision graph, reimplemented to match Alembic 1.x step for step.
//!
//! The crate knows nothing of files or databases: a project loader hands it [`Revision`]s in load
//! order, and it answers with plans (ordered steps, with the exact `alembic_version` row changes
//! after each) that a runner executes. Everything Alembic decides from the revision graph alone
//! (target grammar, step sets and their order, version rows, stamp, merge parents, history
//! order) is decided here, and nothing else is.

mod error;
mod history;
mod map;
mod merge;
mod plan;
mod resolve;
mod revision;
mod rows;
mod stamp;
mod target;
mod timeline;
mod topo;

pub use error::GraphError;
pub use map::RevisionMap;
pub use plan::{Direction, Plan, Step, VersionOp};
pub use revision::{validate_revision_id, Revision};
pub use timeline::{Segment, Timeline, TimelineRow};
