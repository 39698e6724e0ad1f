fn main() {
    servicetitan_codegen::build::domain("tenant-marketing-reputation-v2");
}
