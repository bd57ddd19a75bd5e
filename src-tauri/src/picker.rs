//! The system's file dialogs, behind a small trait: the commands stay free of a Tauri runtime
//! type (the IPC tests run them on the mock runtime, which has no dialogs).

use std::path::PathBuf;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;
use tokio::sync::oneshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// A migration project folder.
    Folder,
    /// A team's `alembic.ini`.
    AlembicIni,
    /// Where to save an operation's SQL.
    SaveSql,
    /// An empty folder for a converted project.
    NewProject,
    /// Where to save a batch's report.
    SaveCsv,
    SaveHtml,
    /// Where to write profiles for a team.
    SaveProfiles,
    /// A team's profiles file.
    ProfilesFile,
}

pub trait Picker: Send + Sync {
    /// Opens the dialog; the answer is `None` when the user cancels it.
    fn pick(&self, what: Pick, start: Option<PathBuf>) -> oneshot::Receiver<Option<PathBuf>>;
}

/// tauri-plugin-dialog, opened from Rust so the window needs no `dialog:` permission.
pub struct SystemDialog<R: Runtime>(pub AppHandle<R>);

impl<R: Runtime> Picker for SystemDialog<R> {
    fn pick(&self, what: Pick, start: Option<PathBuf>) -> oneshot::Receiver<Option<PathBuf>> {
        let (tx, rx) = oneshot::channel();
        let mut dialog = self.0.dialog().file();
        // GTK opens on "Recent" without a folder, where a typed path cannot be chosen.
        let start = start
            .filter(|d| d.is_dir())
            .or_else(|| self.0.path().home_dir().ok());
        if let Some(dir) = start {
            dialog = dialog.set_directory(dir);
        }
        let done = move |p: Option<tauri_plugin_dialog::FilePath>| {
            // A dropped receiver means the window went away: nobody is left to tell.
            let _ = tx.send(p.and_then(|p| p.into_path().ok()));
        };
        match what {
            Pick::Folder => dialog
                .set_title("Choose the migration project folder")
                .pick_folder(done),
            Pick::AlembicIni => dialog
                .set_title("Choose the project's alembic.ini (or its pyproject.toml)")
                .add_filter("Alembic configuration", &["ini", "toml"])
                .pick_file(done),
            Pick::SaveSql => dialog
                .set_title("Save the SQL")
                .set_file_name("preview.sql")
                .add_filter("SQL", &["sql"])
                .save_file(done),
            Pick::SaveCsv => dialog
                .set_title("Save the batch report")
                .set_file_name("stratum-batch-report.csv")
                .add_filter("CSV", &["csv"])
                .save_file(done),
            Pick::SaveHtml => dialog
                .set_title("Save the batch report")
                .set_file_name("stratum-batch-report.html")
                .add_filter("HTML", &["html"])
                .save_file(done),
            Pick::SaveProfiles => dialog
                .set_title("Export the profiles")
                .set_file_name("stratum-profiles.json")
                .add_filter("Stratum profiles", &["json"])
                .save_file(done),
            Pick::ProfilesFile => dialog
                .set_title("Import profiles")
                .add_filter("Stratum profiles", &["json"])
                .pick_file(done),
            Pick::NewProject => dialog
                .set_title("Choose an empty folder for the converted project")
                .pick_folder(done),
        }
        rx
    }
}
