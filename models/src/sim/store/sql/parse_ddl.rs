//! `CREATE TABLE` lowering: columns, NOT NULL, PRIMARY KEY and UNIQUE constraints.

use sqlparser::ast::{self, ColumnOption, DataType, TableConstraint};

use super::error::SqlError;
use super::parse_expr::{ident, object_name};
use super::plan::{ColumnDef, TableDef, UniqueDef};
use super::value::ColumnType;

fn column_type(ty: &DataType) -> Result<ColumnType, SqlError> {
    Ok(match ty {
        DataType::Int(_) | DataType::Integer(_) | DataType::Int4(_) => ColumnType::Int,
        DataType::BigInt(_) | DataType::Int8(_) => ColumnType::BigInt,
        DataType::Text | DataType::Varchar(_) => ColumnType::Text,
        DataType::Boolean | DataType::Bool => ColumnType::Bool,
        other => return Err(SqlError::unsupported(format!("column type {other}"))),
    })
}

fn index_columns(
    table: &str,
    cols: &[ast::IndexColumn],
    columns: &[ColumnDef],
) -> Result<Vec<usize>, SqlError> {
    cols.iter()
        .map(|c| {
            let ast::Expr::Identifier(id) = &c.column.expr else {
                return Err(SqlError::unsupported(format!(
                    "index expression {}",
                    c.column
                )));
            };
            let name = ident(id);
            columns.iter().position(|d| d.name == name).ok_or_else(|| {
                SqlError::new(
                    super::error::sqlstate::UNDEFINED_COLUMN,
                    format!("column \"{name}\" named in key does not exist in \"{table}\""),
                )
            })
        })
        .collect()
}

fn constraint_name(table: &str, cols: &[usize], columns: &[ColumnDef], primary: bool) -> String {
    if primary {
        return format!("{table}_pkey");
    }
    let names: Vec<&str> = cols.iter().map(|&i| columns[i].name.as_str()).collect();
    format!("{table}_{}_key", names.join("_"))
}

/// Lowers `CREATE TABLE name (col type [NOT NULL|PRIMARY KEY|UNIQUE], …, [PRIMARY KEY
/// (…)], [UNIQUE (…)])`. The primary key's columns become `NOT NULL`.
pub(crate) fn create_table(ct: &ast::CreateTable) -> Result<TableDef, SqlError> {
    if ct.query.is_some() || ct.like.is_some() || ct.temporary || ct.if_not_exists {
        return Err(SqlError::unsupported(
            "CREATE TABLE … AS/LIKE/TEMPORARY/IF NOT EXISTS",
        ));
    }
    let name = object_name(&ct.name)?;
    let mut columns = Vec::new();
    for c in &ct.columns {
        columns.push(ColumnDef {
            name: ident(&c.name),
            ty: column_type(&c.data_type)?,
            not_null: false,
        });
    }
    let mut keys: Vec<(Vec<usize>, bool, Option<String>)> = Vec::new();
    for (i, c) in ct.columns.iter().enumerate() {
        for opt in &c.options {
            match &opt.option {
                ColumnOption::NotNull => columns[i].not_null = true,
                ColumnOption::Null => {}
                ColumnOption::PrimaryKey(_) => keys.push((vec![i], true, None)),
                ColumnOption::Unique(_) => keys.push((vec![i], false, None)),
                other => return Err(SqlError::unsupported(format!("column option {other}"))),
            }
        }
    }
    for tc in &ct.constraints {
        match tc {
            TableConstraint::PrimaryKey(pk) => keys.push((
                index_columns(&name, &pk.columns, &columns)?,
                true,
                pk.name.as_ref().map(ident),
            )),
            TableConstraint::Unique(u) => keys.push((
                index_columns(&name, &u.columns, &columns)?,
                false,
                u.name.as_ref().map(ident),
            )),
            other => return Err(SqlError::unsupported(format!("table constraint {other}"))),
        }
    }
    if keys.iter().filter(|k| k.1).count() > 1 {
        return Err(SqlError::new(
            "42P16",
            format!("multiple primary keys for table \"{name}\" are not allowed"),
        ));
    }
    // PostgreSQL builds the primary key's index first.
    keys.sort_by_key(|k| !k.1);
    let uniques = keys
        .into_iter()
        .map(|(cols, primary, given)| {
            if primary {
                for &c in &cols {
                    columns[c].not_null = true;
                }
            }
            UniqueDef {
                name: given.unwrap_or_else(|| constraint_name(&name, &cols, &columns, primary)),
                columns: cols,
                primary,
            }
        })
        .collect();
    Ok(TableDef {
        name,
        columns,
        uniques,
    })
}
