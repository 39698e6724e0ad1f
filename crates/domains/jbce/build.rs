fn main() {
    servicetitan_codegen::build::domain("tenant-jbce-v2");
}
