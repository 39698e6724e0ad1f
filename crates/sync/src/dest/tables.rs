//! The SQL both destinations share, per dialect: an entity's table (typed columns from the
//! catalog, `_raw`, `_synced_at`, `_deleted`), the state and failure tables, and the upsert's
//! condition (never replace a row with an older `modifiedOn`; write nothing when nothing changed).

use crate::catalog::{Column, ColumnType, Entity};

/// The checkpoint table.
pub const STATE_TABLE: &str = "_st_sync_state";
/// Records the SDK could not store as rows, with their raw JSON and the reason.
pub const FAILURES_TABLE: &str = "_st_sync_failures";

/// Which SQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite: declared types chosen for their affinity (`…TEXT` names keep decimals' digits
    /// and give every logical type its own name, so a type change is visible).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Double-quoted identifier (catalog names are snake case; quoting guards keywords).
pub fn q(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Dialect {
    /// The column type of `ty`.
    pub fn column_type(self, ty: ColumnType) -> &'static str {
        match (self, ty) {
            (Dialect::Sqlite, ColumnType::Integer) => "INTEGER",
            (Dialect::Sqlite, ColumnType::Decimal) => "DECIMAL_TEXT",
            (Dialect::Sqlite, ColumnType::Boolean) => "BOOLEAN",
            (Dialect::Sqlite, ColumnType::Timestamp) => "TIMESTAMP_TEXT",
            (Dialect::Sqlite, ColumnType::Date) => "DATE_TEXT",
            (Dialect::Sqlite, ColumnType::Text) => "TEXT",
            (Dialect::Sqlite, ColumnType::Json) => "JSON_TEXT",
            (Dialect::Postgres, ColumnType::Integer) => "bigint",
            (Dialect::Postgres, ColumnType::Decimal) => "numeric",
            (Dialect::Postgres, ColumnType::Boolean) => "boolean",
            (Dialect::Postgres, ColumnType::Timestamp) => "timestamp with time zone",
            (Dialect::Postgres, ColumnType::Date) => "date",
            (Dialect::Postgres, ColumnType::Text) => "text",
            (Dialect::Postgres, ColumnType::Json) => "jsonb",
        }
    }

    fn raw_type(self) -> &'static str {
        match self {
            Dialect::Sqlite => "JSON_TEXT",
            // `json` keeps the text exactly as received (`jsonb` would reorder keys).
            Dialect::Postgres => "json",
        }
    }

    fn synced_type(self) -> &'static str {
        match self {
            Dialect::Sqlite => "TIMESTAMP_TEXT",
            Dialect::Postgres => "timestamp with time zone",
        }
    }

    fn bool_type(self) -> &'static str {
        match self {
            Dialect::Sqlite => "BOOLEAN",
            Dialect::Postgres => "boolean",
        }
    }

    /// `CREATE TABLE IF NOT EXISTS` for the state and failure tables.
    pub fn bookkeeping(self) -> String {
        let big = if self == Dialect::Sqlite {
            "INTEGER"
        } else {
            "bigint"
        };
        let ts = self.synced_type();
        format!(
            "CREATE TABLE IF NOT EXISTS {STATE_TABLE} (
                tenant_id {big} NOT NULL, entity TEXT NOT NULL, mode TEXT NOT NULL,
                token TEXT, pending TEXT, page {big} NOT NULL DEFAULT 0,
                records {big} NOT NULL DEFAULT 0, written {big} NOT NULL DEFAULT 0,
                failures {big} NOT NULL DEFAULT 0, batches {big} NOT NULL DEFAULT 0,
                deleted {big} NOT NULL DEFAULT 0,
                checkpoint_at TEXT, finished_at TEXT, last_error TEXT,
                owner TEXT, lease_until TEXT,
                PRIMARY KEY (tenant_id, entity));
             CREATE TABLE IF NOT EXISTS {FAILURES_TABLE} (
                tenant_id {big} NOT NULL, entity TEXT NOT NULL, raw_sha256 TEXT NOT NULL,
                reason TEXT NOT NULL, raw TEXT NOT NULL, failed_at {ts} NOT NULL,
                PRIMARY KEY (tenant_id, entity, raw_sha256));"
        )
    }

    /// The key column: `id` (typed as the record's id) or `_key` (text).
    pub fn key_column(entity: &Entity) -> (&'static str, ColumnType) {
        if entity.key == ["id"] {
            let ty = entity
                .columns
                .iter()
                .find(|c| c.api_name == "id")
                .map_or(ColumnType::Text, |c| c.ty);
            (id_column(entity), ty)
        } else {
            ("_key", ColumnType::Text)
        }
    }

    /// `CREATE TABLE IF NOT EXISTS` for an entity.
    pub fn create_table(self, entity: &Entity) -> String {
        let (key, key_ty) = Dialect::key_column(entity);
        let mut cols = vec![format!(
            "tenant_id {} NOT NULL",
            self.column_type(ColumnType::Integer)
        )];
        if key == "_key" {
            cols.push(format!("_key {} NOT NULL", self.column_type(key_ty)));
        }
        for c in entity.columns {
            let not_null = if c.name == key { " NOT NULL" } else { "" };
            cols.push(format!(
                "{} {}{not_null}",
                q(c.name),
                self.column_type(c.ty)
            ));
        }
        cols.extend(self.meta_columns().iter().map(|(n, t)| format!("{n} {t}")));
        format!(
            "CREATE TABLE IF NOT EXISTS {} ({}, PRIMARY KEY (tenant_id, {}))",
            q(entity.table),
            cols.join(", "),
            q(key)
        )
    }

    /// The bookkeeping columns of every entity table.
    pub fn meta_columns(self) -> [(&'static str, String); 3] {
        [
            ("_raw", format!("{} NOT NULL", self.raw_type())),
            ("_synced_at", format!("{} NOT NULL", self.synced_type())),
            (
                "_deleted",
                format!("{} NOT NULL DEFAULT {}", self.bool_type(), self.falsy()),
            ),
        ]
    }

    fn falsy(self) -> &'static str {
        match self {
            Dialect::Sqlite => "0",
            Dialect::Postgres => "false",
        }
    }

    /// The `ON CONFLICT … DO UPDATE … WHERE` tail of an upsert into `entity` (the new row is
    /// `excluded`): a stored row is replaced only by a newer `modifiedOn`, or — same
    /// `modifiedOn`, or none known — by a different raw record; a row marked deleted that is
    /// returned again is revived.
    pub fn on_conflict(self, entity: &Entity) -> String {
        let (key, _) = Dialect::key_column(entity);
        let t = q(entity.table);
        let mut sets: Vec<String> = entity
            .columns
            .iter()
            .filter(|c| c.name != key)
            .map(|c| format!("{0} = excluded.{0}", q(c.name)))
            .collect();
        sets.extend(["_raw", "_synced_at", "_deleted"].map(|n| format!("{n} = excluded.{n}")));
        let differs = match self {
            Dialect::Sqlite => format!("{t}._raw IS NOT excluded._raw"),
            Dialect::Postgres => format!("{t}._raw::text IS DISTINCT FROM excluded._raw::text"),
        };
        let condition = match entity.modified_on() {
            Some(m) => {
                let m = q(m.name);
                format!(
                    "{t}._deleted OR {t}.{m} IS NULL OR excluded.{m} IS NULL OR excluded.{m} > {t}.{m} \
                     OR (excluded.{m} = {t}.{m} AND {differs})"
                )
            }
            None => format!("{t}._deleted OR {differs}"),
        };
        format!(
            "ON CONFLICT (tenant_id, {}) DO UPDATE SET {} WHERE {condition}",
            q(key),
            sets.join(", ")
        )
    }
}

fn id_column(entity: &Entity) -> &'static str {
    entity
        .columns
        .iter()
        .find(|c| c.api_name == "id")
        .map_or("id", |c| c.name)
}

/// What the database has for a column vs. what the spec says now: `None` when they agree.
pub fn type_change(dialect: Dialect, table: &str, column: &Column, found: &str) -> Option<String> {
    let want = dialect.column_type(column.ty);
    (!found.eq_ignore_ascii_case(want)).then(|| {
        format!(
            "table {table}, column {}: the database has it as {found} but the spec now says {want} \
             ({:?}). Convert the column (ALTER TABLE {table} ALTER COLUMN … / rebuild it), or drop \
             the table and its rows in {STATE_TABLE} to sync it again",
            column.name, column.ty
        )
    })
}
