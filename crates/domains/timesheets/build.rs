fn main() {
    servicetitan_codegen::build::domain("tenant-timesheets-v2");
}
