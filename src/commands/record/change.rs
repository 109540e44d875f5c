//! `phr-record set|status|mark|rm|export`: changing records. Changes of fields and status bits
//! mark the record for metadata write-back and indexing; removal takes its files with it once
//! the removal is committed.

use crate::cli::record::{ExportArgs, MarkArgs, RmArgs, SetArgs, StatusArgs};
use crate::config::Settings;
use crate::databox::{Pending, StatusMask};
use crate::error::{Error, Result};
use crate::exit_codes;
use crate::store::Store;
use std::path::Path;

/// What a change through `phr-record` leaves to do.
const CHANGED: u32 = Pending::MetaWrite as u32 | Pending::Index as u32;

fn open(settings: &Settings) -> Result<Store> {
    let mut store = Store::open(&settings.db_path())?;
    crate::databox::sync_structure(&mut store, &settings.structure)?;
    Ok(store)
}

pub fn set(settings: &Settings, args: SetArgs) -> Result<i32> {
    let def = settings.structure.fields.get(&args.field).ok_or_else(|| {
        let known: Vec<&str> = settings.structure.fields.keys().map(String::as_str).collect();
        Error::Usage(format!("unknown field {:?} (known: {})", args.field, known.join(", ")))
    })?;
    if !def.multi && args.values.len() > 1 {
        return Err(Error::Usage(format!("field {} takes one value, not {}", args.field, args.values.len())));
    }
    for value in &args.values {
        def.kind.check(value).map_err(|why| Error::Usage(format!("field {}: {why}", args.field)))?;
    }
    open(settings)?.write(|tx| tx.records().set_field(args.id, &args.field, &args.values, CHANGED))?;
    Ok(exit_codes::OK)
}

pub fn status(settings: &Settings, args: StatusArgs) -> Result<i32> {
    let mut mask = match &args.mask {
        Some(m) => m.parse::<StatusMask>().map_err(Error::Usage)?,
        None => StatusMask::default(),
    };
    let bit = |name: &String| {
        settings.structure.status_bit(name).ok_or_else(|| Error::Usage(format!("unknown status bit {name:?}")))
    };
    for name in &args.on {
        mask.ones |= 1 << bit(name)?;
    }
    for name in &args.off {
        mask.zeros |= 1 << bit(name)?;
    }
    if mask.ones & mask.zeros != 0 {
        return Err(Error::Usage("a bit cannot be set and cleared at once".into()));
    }
    open(settings)?.write(|tx| {
        for &id in &args.ids {
            let record = tx.records().get(id)?.ok_or(Error::NoSuchRecord(id))?;
            tx.records().set_status(id, mask.apply(record.status), CHANGED)?;
        }
        Ok(())
    })?;
    Ok(exit_codes::OK)
}

pub fn mark(settings: &Settings, args: MarkArgs) -> Result<i32> {
    let flags = args.work.iter().filter_map(|w| super::pending_named(w)).fold(0, |f, p| f | p.bit());
    open(settings)?.write(|tx| {
        for &id in &args.ids {
            tx.records().get(id)?.ok_or(Error::NoSuchRecord(id))?;
            tx.records().touch(id, flags)?;
        }
        Ok(())
    })?;
    Ok(exit_codes::OK)
}

pub fn rm(settings: &Settings, args: RmArgs) -> Result<i32> {
    let mut store = open(settings)?;
    let mut code = exit_codes::OK;
    for &id in &args.ids {
        let Some(record) = store.write(|tx| tx.records().remove(id))? else {
            eprintln!("phr-record: no record {id}");
            code = exit_codes::FAILURE;
            continue;
        };
        // Committed: the files go now. A crash before this leaves files no record names,
        // never a record without its files.
        let paths = record.stored_path.iter().chain(record.subdefs.iter().filter_map(|s| s.path.as_ref()));
        for path in paths {
            let full = settings.data_dir.join(path);
            if let Err(e) = std::fs::remove_file(&full) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    log::warn!("record {id} removed, but not its file {}: {e}", full.display());
                }
            }
        }
    }
    Ok(code)
}

pub fn export(settings: &Settings, args: ExportArgs) -> Result<i32> {
    let store = Store::open_read_only(&settings.db_path())?;
    let record = store.records().get(args.id)?.ok_or(Error::NoSuchRecord(args.id))?;
    let stored = match &args.subdef {
        None => record.stored_path.clone().ok_or_else(|| Error::Data(format!("record {} has no file", args.id)))?,
        Some(name) => record
            .subdefs
            .iter()
            .find(|s| &s.name == name && s.state == "done")
            .and_then(|s| s.path.clone())
            .ok_or_else(|| Error::Data(format!("record {} has no built sub-definition {name:?}", args.id)))?,
    };
    let source = settings.data_dir.join(&stored);
    let mut input = std::fs::File::open(&source)
        .map_err(|source_err| Error::NoInput { path: source.clone(), source: source_err })?;
    if args.output == Path::new("-") {
        std::io::copy(&mut input, &mut std::io::stdout().lock())?;
        return Ok(exit_codes::OK);
    }
    let target = if args.output.is_dir() {
        let name = Path::new(&record.original_name).file_name().map(|n| n.to_os_string());
        args.output.join(name.unwrap_or_else(|| format!("{}", record.id).into()))
    } else {
        args.output.clone()
    };
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target)
        .map_err(|source| Error::CantCreate { path: target.clone(), source })?;
    std::io::copy(&mut input, &mut out).map_err(|e| Error::io(&target, e))?;
    println!("{}", target.display());
    Ok(exit_codes::OK)
}
