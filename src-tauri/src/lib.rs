//! The Stratum desktop shell: state, commands and the window. It only adapts the engine
//! (`crates/`) to Tauri; no migration logic lives here.

mod about_commands;
mod backup_commands;
mod checklist_commands;
mod discover_commands;
mod early_start;
mod error;
mod file_commands;
mod first_timeline;
mod fleet_commands;
mod logging;
mod operation_commands;
pub mod picker;
mod profile_commands;
mod rehearsal_commands;
mod revision_commands;
mod schema_commands;
mod state;
mod team_commands;
mod timeline_commands;
mod trust_commands;
pub mod views;
pub mod window_memory;
mod window_start;

pub use error::AppError;
pub use state::AppState;

use tauri::Manager;

/// Every command the window may call, listed once: `with_commands!(tauri::generate_handler)`
/// is the app's handler, `with_commands!(tauri_specta::collect_commands)` adds the commands'
/// types for the TypeScript bindings.
macro_rules! with_commands {
    ($($collect:tt)+) => {
        $($collect)+![
            profile_commands::list_profiles,
            timeline_commands::timeline,
            timeline_commands::revision_detail,
            operation_commands::plan_operation,
            operation_commands::run_operation,
            operation_commands::cancel_operation,
            operation_commands::audit_log,
            timeline_commands::pending_findings,
            profile_commands::save_profile,
            profile_commands::duplicate_profile,
            profile_commands::delete_profile,
            profile_commands::test_connection,
            profile_commands::trust_ssh_host,
            profile_commands::profile_statuses,
            discover_commands::discover_databases,
            discover_commands::add_discovered,
            team_commands::export_profiles,
            team_commands::choose_profiles_file,
            team_commands::import_profiles,
            revision_commands::merge_heads,
            revision_commands::new_revision,
            file_commands::choose_project_folder,
            file_commands::choose_alembic_ini,
            file_commands::read_alembic_ini,
            file_commands::save_operation_sql,
            file_commands::convert_project,
            profile_commands::supply_value,
            fleet_commands::fleet_status,
            fleet_commands::fleet_drift,
            about_commands::about,
            about_commands::open_log_folder,
            checklist_commands::checkup_profile,
            checklist_commands::fleet_checkup,
            checklist_commands::release_gate_of,
            fleet_commands::run_batch_operation,
            fleet_commands::batch_report,
            fleet_commands::list_batches,
            fleet_commands::interrupted_batches,
            fleet_commands::save_batch_report,
            backup_commands::list_backups,
            backup_commands::take_backup,
            backup_commands::verify_backup,
            backup_commands::restore_backup,
            backup_commands::delete_backup,
            backup_commands::reveal_backup,
            operation_commands::dry_run_operation,
            rehearsal_commands::rehearse_profile,
            schema_commands::database_schema,
            schema_commands::schema_drift,
            schema_commands::schema_diff,
            trust_commands::trust_folder,
            trust_commands::list_trusted_folders,
            trust_commands::revoke_trusted_folder,
        ]
    };
}

/// The commands with their types, for the TypeScript bindings (tests/bindings.rs) and the IPC
/// tests. The app itself registers only the handler (`run`): describing every command's types
/// is work the running window never needs.
pub fn specta_builder<R: tauri::Runtime>() -> tauri_specta::Builder<R> {
    // One type per struct: the window only receives these, so serde phases would only split them.
    // The engine's 64-bit integers cross as `number`: they are ids, counts, line numbers, sizes
    // in bytes and durations, every one far below 2^53, where a JavaScript number stops being
    // exact, so a separate 32-bit copy of each type would buy nothing.
    tauri_specta::Builder::<R>::new()
        .disable_serde_phases()
        .dangerously_cast_bigints_to_number()
        .commands(with_commands!(tauri_specta::collect_commands))
}

/// Where the app keeps its store: `STRATUM_DATA_DIR` when set (tests, portable use), else the
/// platform's app data folder.
fn data_dir(app: &tauri::App) -> Result<std::path::PathBuf, Box<dyn std::error::Error>> {
    if let Some(dir) = std::env::var_os("STRATUM_DATA_DIR") {
        return Ok(dir.into());
    }
    Ok(app.path().app_data_dir()?)
}

pub fn run() {
    let context = tauri::generate_context!("../tauri.conf.json");
    let early = early_start::EarlyStart::begin(context.config());
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(with_commands!(tauri::generate_handler))
        .on_page_load(window_start::show_when_loaded)
        .setup(move |app| {
            let dir = data_dir(app)?;
            let mut state = tauri::async_runtime::block_on(early.state(&dir))?;
            state.picker = Some(std::sync::Arc::new(picker::SystemDialog(
                app.handle().clone(),
            )));
            app.manage(state);
            window_start::show_at_the_latest(app);
            Ok(())
        })
        .run(context);
    if let Err(e) = result {
        eprintln!("stratum: the app could not start: {e}");
        std::process::exit(1);
    }
}
