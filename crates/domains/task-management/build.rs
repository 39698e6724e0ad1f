fn main() {
    servicetitan_codegen::build::domain("tenant-task-management-v2");
}
