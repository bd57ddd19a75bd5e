use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Apply database schema migrations, Alembic-compatible.
#[derive(Debug, Parser)]
#[command(name = "stratum", version, about, max_term_width = 100)]
pub struct Cli {
    /// The project folder: a Stratum project (stratum.toml) or an Alembic one (alembic.ini).
    #[arg(
        long,
        short = 'p',
        global = true,
        env = "STRATUM_PROJECT",
        default_value = "."
    )]
    pub project: PathBuf,
    /// The database, e.g. postgresql://user@host/db, mysql://root@127.0.0.1/shop, sqlite:///app.db.
    /// Prefer the environment variable to keep a password out of the shell history.
    #[arg(
        long,
        global = true,
        env = "STRATUM_DATABASE_URL",
        hide_env_values = true
    )]
    pub url: Option<String>,
    /// Print one JSON document instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Print the log to stderr as it is written (each step, its time, each connection); the
    /// log file in the data folder's `logs` has it either way.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
    /// The desktop app's data folder (its profiles), for `status` and batch runs; default: the
    /// app's own.
    #[arg(long, global = true, env = "STRATUM_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Alembic projects: the Python that runs the project's Alembic (default: the project's
    /// virtualenv, then python3 on PATH).
    #[arg(long, global = true, env = "STRATUM_PYTHON")]
    pub python: Option<PathBuf>,
    /// Alembic projects: the version table's name, where env.py sets one.
    #[arg(long, global = true)]
    pub version_table: Option<String>,
    /// Alembic projects: the version table's schema, where env.py sets one.
    #[arg(long, global = true)]
    pub version_table_schema: Option<String>,
    /// Alembic projects: a value a revision file computes, as `FILE: NAME = VALUE[, VALUE]`
    /// (e.g. `1b4c6e320f79_x.py: branch_labels = expand`). Repeatable.
    #[arg(long = "value", global = true)]
    pub values: Vec<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new project: DIR/stratum.toml and DIR/versions/.
    Init { dir: PathBuf },
    /// Write a new revision file after the head (or --head).
    Revision(RevisionArgs),
    /// Write a merge revision joining heads (all heads by default).
    Merge(MergeArgs),
    /// Show the heads of the revision graph.
    Heads {
        /// Leave out heads that another revision depends on.
        #[arg(long)]
        resolve_dependencies: bool,
    },
    /// Show the bases (first revisions).
    Bases,
    /// Show branch points.
    Branches,
    /// List revisions, newest first.
    History,
    /// Show the database's current revisions.
    Current,
    /// Show one revision.
    Show { revision: String },
    /// Upgrade to a target (head, heads, an id, +N, label@head, ...).
    Upgrade(MigrateArgs),
    /// Downgrade to a target (base, an id, -N, label@-1, ...).
    Downgrade(MigrateArgs),
    /// Set the version rows without running migrations.
    Stamp(StampArgs),
    /// Back the database up (pg_dump -Fc, mysqldump, SQLite VACUUM INTO) with a manifest beside it.
    Backup {
        /// The backup file (default: backups/DATABASE-TIME.EXT).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check a backup: its checksum, and that the engine's own tool can read it.
    Verify { path: PathBuf },
    /// Trust the host key of the SSH bastion the --url names (`?ssh=user@host`), after comparing
    /// the fingerprint a first connection printed with the one its administrator gives.
    SshTrust {
        /// The fingerprint compared, e.g. SHA256:AbC...
        fingerprint: String,
    },
    /// Restore a backup into the database (after a safety backup), or into a new one with --into.
    Restore(RestoreArgs),
    /// Run the safety checks on the project's revisions (all, or those named). Exit code 1 when a
    /// blocking finding is not acknowledged.
    Check(CheckArgs),
    /// Show what is in the database: tables, columns, keys, indexes, foreign keys, views.
    Schema {
        /// Only this table (NAME or SCHEMA.NAME).
        table: Option<String>,
    },
    /// Compare the database with what its revisions produce at its version rows (built on a
    /// scratch database, then dropped). Exit code 1 when they differ.
    Drift,
    /// Compare the database with another one (another client's, say). Exit code 1 when they differ.
    Diff {
        /// The other database's URL.
        other: String,
    },
    /// The tenant checklist on the live schema: tables without the tenant column, cascading
    /// foreign keys, foreign-key columns without an index.
    Audit,
    /// Prove that every step up to TARGET upgrades, downgrades back to exactly the schema it
    /// started from, and upgrades again, on a scratch database that is dropped afterwards. Exit
    /// code 1 when a step fails.
    Rehearse {
        /// Where to rehearse to (default: heads).
        #[arg(default_value = "heads")]
        target: String,
        /// Start from an empty database (every revision), not from the database's schema.
        #[arg(long, conflicts_with = "from_live")]
        from_base: bool,
        /// Start from a schema-only copy of the database at its version rows (the default).
        #[arg(long)]
        from_live: bool,
        /// Also prove that each downgrade keeps the rows of the tables that were there before
        /// its upgrade (counts and checksums); the scratch copy then takes the rows too, so use
        /// it on development and staging databases.
        #[arg(long)]
        with_data: bool,
        /// Start from this backup of the database (its .dump, .sql or .db with its manifest),
        /// restored into the scratch database: the rows are compared too, and a production
        /// database's data is proved without copying it live.
        #[arg(long, value_name = "BACKUP", conflicts_with_all = ["from_base", "from_live"])]
        from_backup: Option<PathBuf>,
    },
    /// Convert an Alembic project into a Stratum project of SQL revisions (rendered by
    /// Alembic's offline mode), so deployments need no Python.
    Convert(ConvertArgs),
    /// The release checklist's check-up: one head, version rows known, no drift, the tenant
    /// audit, the safety checks acknowledged, and for the app's profiles (--profiles, --all,
    /// ...) the last backup and a passing rehearsal of the pending revisions. Exit code 1 when
    /// an item failed.
    Checkup(FleetArgs),
    /// Where the desktop app's profiles stand: reachable, version rows, pending revisions,
    /// several heads, last backup and operation, last drift check. Exit code 1 when one is
    /// unreachable or unreadable.
    Status(StatusArgs),
    /// The desktop app's profiles (its store: --data-dir): list, add, remove.
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Batches run over the app's profiles (its store: --data-dir), newest first, each finished
    /// or interrupted (its process was killed: some databases never ran; `upgrade TARGET
    /// --rest-of-batch N` runs them). With an id: that batch's line per database.
    Batches {
        /// The batch whose databases to show.
        id: Option<i64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// The profiles, by client.
    List,
    /// Add a profile; a password in the URL goes to the keychain, never to the store.
    Add(ProfileAddArgs),
    /// Remove a profile (the database itself is not touched).
    Remove { name: String },
    /// List a server's databases that match a pattern, with their version rows, and add them
    /// as profiles bound to one project (`--yes` adds without asking).
    Discover(ProfileDiscoverArgs),
    /// Write profiles to a file to share with a team: no password is ever in it.
    Export(ProfileExportArgs),
    /// Add the profiles of a file written by `profile export`; each server's password is asked
    /// for unless this keychain (a profile of the same server and user) or ~/.pgpass /
    /// ~/.my.cnf has it.
    Import(ProfileImportArgs),
}

#[derive(Debug, Args)]
pub struct ProfileExportArgs {
    /// The file to write (JSON).
    pub file: PathBuf,
    /// Which profiles (every one when none is given).
    #[command(flatten)]
    pub fleet: FleetArgs,
}

#[derive(Debug, Args)]
pub struct ProfileImportArgs {
    /// A file written by `stratum profile export`.
    pub file: PathBuf,
    /// Bind every imported profile to this project folder instead of the file's.
    #[arg(long)]
    pub project_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ProfileDiscoverArgs {
    /// The server: a URL (its database, if any, is only where to list from) or a profile's name.
    /// The profiles follow the project of --project.
    pub server: String,
    /// Only databases whose names match ("erp_*_prod"; * any run of characters, ? one).
    #[arg(long)]
    pub databases: Option<String>,
    /// PostgreSQL, one schema per tenant: each schema matching ("tenant_*") of each matching
    /// database becomes a profile of its own.
    #[arg(long)]
    pub schemas: Option<String>,
    /// Also add the databases that hold no version table yet (tenants not migrated).
    #[arg(long)]
    pub include_unversioned: bool,
    /// Each profile's name: {database}, {schema}, and {1}, {2}... for what the patterns'
    /// wildcards matched (the database's first). Default: {database}, or {database}.{schema}
    /// with --schemas.
    #[arg(long, default_value = "")]
    pub name: String,
    /// Each profile's client, with the same placeholders ("{1}" for erp_*_prod).
    #[arg(long, default_value = "")]
    pub client: String,
    /// development, staging or production.
    #[arg(long, default_value = "development")]
    pub environment: String,
    /// A tag for every added profile (repeatable).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// Add what was found without asking.
    #[arg(long)]
    pub yes: bool,
    /// How many databases are read at once (PostgreSQL opens one connection per database).
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
}

#[derive(Debug, Args)]
pub struct ProfileAddArgs {
    pub name: String,
    /// The database (a password in it goes to the keychain).
    #[arg(long = "db")]
    pub db: String,
    /// The migration project folder (stratum.toml or alembic.ini).
    #[arg(long = "dir")]
    pub dir: PathBuf,
    #[arg(long, default_value = "")]
    pub client: String,
    /// development, staging or production.
    #[arg(long, default_value = "development")]
    pub environment: String,
    /// Comma separated.
    #[arg(long, default_value = "")]
    pub tags: String,
    /// When changes may run, e.g. "Sat-Sun 22:00-06:00 Europe/Berlin".
    #[arg(long, default_value = "")]
    pub window: String,
    /// Hold upgrades and downgrades to the release checklist (default: on for production).
    #[arg(long)]
    pub release_gate: Option<bool>,
}

/// Which of the desktop app's profiles (its store: --data-dir) a fleet command is about.
#[derive(Debug, Args, Clone, Default)]
pub struct FleetArgs {
    /// Every profile.
    #[arg(long)]
    pub all: bool,
    /// The profiles of this client (repeatable).
    #[arg(long = "group")]
    pub groups: Vec<String>,
    /// Only this environment: development, staging or production (repeatable).
    #[arg(long = "env")]
    pub environments: Vec<String>,
    /// Profiles with this tag (repeatable).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// These profiles, by name or id (comma separated).
    #[arg(long, value_delimiter = ',')]
    pub profiles: Vec<String>,
    /// Databases worked on at once.
    #[arg(long)]
    pub concurrency: Option<usize>,
}

impl FleetArgs {
    pub fn given(&self) -> bool {
        self.all
            || !self.groups.is_empty()
            || !self.environments.is_empty()
            || !self.tags.is_empty()
            || !self.profiles.is_empty()
    }
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// Seconds to wait for one database before calling it unreachable.
    #[arg(long, default_value_t = 5)]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The new project folder (must not exist, or be empty).
    pub out: PathBuf,
    /// Engines to write SQL for (repeatable): postgresql, mysql, sqlite. Default: --url's,
    /// else postgresql. With several, each revision gets a section per engine.
    #[arg(long)]
    pub dialect: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Revisions to check (default: every revision in the project).
    pub revisions: Vec<String>,
    /// The engine whose SQL is checked: postgresql, mysql or sqlite (default: --url's, else postgresql).
    #[arg(long)]
    pub dialect: Option<String>,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    pub path: PathBuf,
    /// Restore into a new database of this name (a new file path for SQLite) instead.
    #[arg(long)]
    pub into: Option<String>,
    /// Confirm replacing the database's contents with the backup.
    #[arg(long)]
    pub yes: bool,
    /// Do not take a safety backup of the database before replacing it.
    #[arg(long)]
    pub no_safety_backup: bool,
}

#[derive(Debug, Args)]
pub struct RevisionArgs {
    #[arg(short, long, default_value = "empty message")]
    pub message: String,
    /// The revision to follow (default: head).
    #[arg(long, default_value = "head")]
    pub head: String,
    /// Allow --head to be a revision that is not a head, starting a new branch.
    #[arg(long)]
    pub splice: bool,
    #[arg(long = "branch-label")]
    pub branch_label: Vec<String>,
    #[arg(long = "depends-on")]
    pub depends_on: Vec<String>,
    /// Use this id instead of a fresh random one.
    #[arg(long)]
    pub rev_id: Option<String>,
    /// Alembic projects: compare the project's models with the database (--url) and write
    /// the difference, as `alembic revision --autogenerate` does.
    #[arg(long)]
    pub autogenerate: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Revisions to merge (default: heads).
    pub revisions: Vec<String>,
    #[arg(short, long, default_value = "empty message")]
    pub message: String,
    #[arg(long = "branch-label")]
    pub branch_label: Vec<String>,
    #[arg(long)]
    pub rev_id: Option<String>,
    /// Allow merging revisions that are not heads.
    #[arg(long)]
    pub splice: bool,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The target; `FROM:TO` with --sql.
    #[arg(allow_hyphen_values = true)]
    pub target: String,
    /// Print the SQL instead of running it (Alembic's offline mode).
    #[arg(long)]
    pub sql: bool,
    /// Print the ordered steps and the version rows after each; run nothing.
    #[arg(long)]
    pub plan: bool,
    /// Plan from these version rows instead of reading the database (comma separated; empty for none).
    #[arg(long)]
    pub from: Option<String>,
    /// SQL dialect for --sql/--plan without a database: postgresql, mysql or sqlite.
    #[arg(long)]
    pub dialect: Option<String>,
    /// Commit after each revision instead of once for the whole run.
    #[arg(long)]
    pub transaction_per_revision: bool,
    /// How long to wait for another run's lock, in seconds.
    #[arg(long, default_value_t = 60)]
    pub lock_wait: u64,
    /// Try the plan for real and leave no trace: inside a rolled-back transaction, or on a
    /// scratch copy where that cannot work (MySQL, revisions outside a transaction).
    #[arg(long, conflicts_with_all = ["sql", "plan"])]
    pub dry_run: bool,
    /// Back the database up first (into --backup-dir).
    #[arg(long, conflicts_with_all = ["sql", "plan", "dry_run"])]
    pub backup: bool,
    /// Finish the revision an interrupted run left half-done (Stratum's journal on the
    /// database says which of its statements ran), then go on to the target.
    #[arg(long, conflicts_with_all = ["sql", "plan", "dry_run"])]
    pub resume: bool,
    /// With --resume: the statement in doubt, which the catalog could not settle, did run.
    #[arg(long, requires = "resume", conflicts_with = "statement_not_ran")]
    pub statement_ran: bool,
    /// With --resume: the statement in doubt did not run.
    #[arg(long, requires = "resume")]
    pub statement_not_ran: bool,
    /// Where --backup writes.
    #[arg(long, default_value = "backups")]
    pub backup_dir: PathBuf,
    /// Run on the desktop app's profiles instead of --project/--url: a batch, with a backup of
    /// each database its profile asks for (all of them with --backup).
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// In a batch: go on after a database fails (default: start no further one).
    #[arg(long)]
    pub keep_going: bool,
    /// In a batch: confirm the production databases in it.
    #[arg(long)]
    pub yes: bool,
    /// In a batch: also write the report here (.csv or .html).
    #[arg(long)]
    pub report: Vec<PathBuf>,
    /// In a batch: who reviewed the revisions' code, for the release gate of production
    /// profiles.
    #[arg(long)]
    pub reviewer: Option<String>,
    /// In a batch: run databases whose release gate is not met, for this reason (kept in the
    /// audit log and the report).
    #[arg(long, value_name = "REASON")]
    pub override_gate: Option<String>,
    /// A batch over what interrupted batch N left pending (`stratum batches` lists them), the
    /// same operation to the same target; with --all, --group, ... only those of them chosen.
    /// Batch N then says which batch ran its rest, and is offered no more.
    #[arg(long, value_name = "N", conflicts_with_all = ["sql", "plan", "dry_run", "from"])]
    pub rest_of_batch: Option<i64>,
}

#[derive(Debug, Args)]
pub struct StampArgs {
    #[arg(required = true)]
    pub targets: Vec<String>,
    /// Delete every version row first.
    #[arg(long)]
    pub purge: bool,
    #[arg(long)]
    pub sql: bool,
    #[arg(long)]
    pub plan: bool,
    #[arg(long)]
    pub from: Option<String>,
    #[arg(long)]
    pub dialect: Option<String>,
}
