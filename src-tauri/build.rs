fn main() {
    println!("cargo:rerun-if-changed=../tauri.conf.json");
    println!("cargo:rerun-if-changed=../migrations");
    println!("cargo:rerun-if-changed=../examples/kontali-erp");
    println!("cargo:rerun-if-changed=capabilities");
    if let Err(e) =
        tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json"))
    {
        panic!("tauri build step failed: {e}");
    }
}
