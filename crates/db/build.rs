// sqlx::migrate! embeds the migration files, but on stable Rust cargo does
// not know to rebuild when one is added; this tells it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
