fn main() {
    servicetitan_codegen::build::domain("tenant-payroll-v2");
}
