//! `phr-record`: looking at and changing the databox's records from a shell.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Look at the databox's records, change their fields and status, remove or export them.
#[derive(Debug, Parser)]
#[command(name = "phr-record", version, long_about = None)]
#[command(after_help = "Status masks are written as Phraseanet writes them, bit 0 rightmost: 1x0xxxx means \
    bit 4 is 0 and bit 6 is 1 (x: any, or leave alone).\nRecords changed by set and status are marked for \
    metadata write-back and indexing.")]
pub struct RecordCli {
    /// Configuration file to read instead of the default one.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory (store, files, logs).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: RecordCommand,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum RecordCommand {
    /// List records, newest first.
    List(ListArgs),
    /// Search the full-text index: words, "phrases", prefix*, Field:value, AND/OR/NOT, Date:FROM..TO.
    Search(SearchArgs),
    /// Show one record in full: fields, technical values, sub-definitions, status bits.
    Show(ShowArgs),
    /// Set a field's values (several for a multi-valued field), or clear it with no value.
    Set(SetArgs),
    /// Change status bits with a mask (1 set, 0 clear, x leave) or by name.
    Status(StatusArgs),
    /// Mark records for work again: metadata read, sub-definitions, indexing, metadata write.
    Mark(MarkArgs),
    /// Remove records with their files.
    Rm(RmArgs),
    /// Copy a record's original (or a sub-definition) out of the databox.
    Export(ExportArgs),
}

/// `phr-record list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this collection (its name or Phraseanet id).
    #[arg(short, long, value_name = "NAME")]
    pub collection: Option<String>,
    /// Only records whose status matches this mask (1x0xxxx).
    #[arg(short, long, value_name = "MASK")]
    pub status: Option<String>,
    /// Only records where FIELD has exactly this value.
    #[arg(short, long, value_name = "FIELD=VALUE")]
    pub field: Option<String>,
    /// Created on or after this date (YYYY-MM-DD, or a time as taskctl's --at takes).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Created before this date.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only records waiting for this work.
    #[arg(long, value_name = "WORK", value_parser = ["meta-read", "subdefs", "index", "meta-write"])]
    pub pending: Option<String>,
    /// Only stories.
    #[arg(long)]
    pub stories: bool,
    /// At most this many records.
    #[arg(short = 'n', long, value_name = "N")]
    pub limit: Option<u64>,
    /// One JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Show cells whole instead of fitting the table to the terminal.
    #[arg(long)]
    pub wide: bool,
}

/// `phr-record search`.
#[derive(Debug, Args)]
#[command(
    after_help = "Query syntax: words (all must match), \"a phrase\", prefix* , Field:value and     Field:\"a phrase\" (fields from the config), AND, OR, NOT (upper case) and parentheses,     Date:2014-01-01..2014-12-31 on date fields (either side may be left out). Case and accents do not     matter. Best matches first, then newest. Only indexed records are found: run phr-index."
)]
pub struct SearchArgs {
    /// The query (quote it for the shell).
    pub query: String,
    /// Only this collection (its name or Phraseanet id).
    #[arg(short, long, value_name = "NAME")]
    pub collection: Option<String>,
    /// Only records whose status matches this mask (1x0xxxx).
    #[arg(short, long, value_name = "MASK")]
    pub status: Option<String>,
    /// At most this many records.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 100)]
    pub limit: u64,
    /// One JSON object on stdout, each record with its score.
    #[arg(long)]
    pub json: bool,
    /// Show cells whole instead of fitting the table to the terminal.
    #[arg(long)]
    pub wide: bool,
}

/// `phr-record show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    pub id: i64,
    /// JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `phr-record set`.
#[derive(Debug, Args)]
pub struct SetArgs {
    pub id: i64,
    /// The field's name, as the config declares it.
    pub field: String,
    /// Its new values; none clears it.
    pub values: Vec<String>,
}

/// `phr-record status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Records to change.
    #[arg(required = true)]
    pub ids: Vec<i64>,
    /// A mask, bit 0 rightmost (1 set, 0 clear, x leave).
    #[arg(long, value_name = "MASK", required_unless_present_any = ["on", "off"])]
    pub mask: Option<String>,
    /// Set this bit (its name or number; repeatable).
    #[arg(long, value_name = "BIT")]
    pub on: Vec<String>,
    /// Clear this bit (its name or number; repeatable).
    #[arg(long, value_name = "BIT")]
    pub off: Vec<String>,
}

/// `phr-record mark`.
#[derive(Debug, Args)]
pub struct MarkArgs {
    #[arg(required = true)]
    pub ids: Vec<i64>,
    /// The work to do again.
    #[arg(long, value_name = "WORK", required = true, value_parser = ["meta-read", "subdefs", "index", "meta-write"])]
    pub work: Vec<String>,
}

/// `phr-record rm`.
#[derive(Debug, Args)]
pub struct RmArgs {
    #[arg(required = true)]
    pub ids: Vec<i64>,
}

/// `phr-record export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    pub id: i64,
    /// Where to write: a file, or a folder (the original name is kept); `-` for stdout.
    #[arg(short, long, value_name = "PATH")]
    pub output: PathBuf,
    /// A sub-definition instead of the original.
    #[arg(long, value_name = "NAME")]
    pub subdef: Option<String>,
}
