fn main() {
    servicetitan_codegen::build::domain("tenant-dispatch-v2");
}
