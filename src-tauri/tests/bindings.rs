//! The UI never hand-writes a command's type: `ui/src/bindings.ts` is generated from the
//! commands, and this test fails when the committed file is stale. Regenerate with
//! `STRATUM_UPDATE_BINDINGS=1 cargo test -p stratum-app --test bindings`.

use std::path::Path;

#[test]
fn the_committed_typescript_bindings_are_up_to_date() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fresh = dir.path().join("bindings.ts");
    stratum_app::specta_builder::<tauri::Wry>()
        .export(specta_typescript::Typescript::default(), &fresh)
        .unwrap_or_else(|e| panic!("exporting bindings: {e}"));
    let fresh = std::fs::read_to_string(&fresh).unwrap_or_default();
    if std::env::var_os("STRATUM_UPDATE_BINDINGS").is_some() {
        std::fs::write(&committed, &fresh).unwrap_or_else(|e| panic!("{e}"));
    }
    let old = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        old == fresh,
        "ui/src/bindings.ts is stale: run STRATUM_UPDATE_BINDINGS=1 cargo test -p stratum-app --test bindings"
    );
}
