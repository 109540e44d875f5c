//! `phr-meta read|write`: the metadata task kinds from a shell or cron; each subcommand is its
//! kind's whole command line (`phr-meta read --once`, `phr-meta write --record 12 --once`).

use phr_tasks::kinds::{entry, meta_read::MetaRead, meta_write::MetaWrite};

fn main() {
    phr_tasks::media::backend::install_exiv2(); // both subcommands read or write metadata
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    match args.get(1).and_then(|a| a.to_str()) {
        Some("read") => {
            args.remove(1);
            entry::kind_main_from::<MetaRead>(args)
        }
        Some("write") => {
            args.remove(1);
            entry::kind_main_from::<MetaWrite>(args)
        }
        Some("-h") | Some("--help") => {
            println!(
                "Usage: phr-meta read|write [OPTIONS]\n\n\
                 read: reads records' EXIF, IPTC and XMP metadata into their fields (phr-meta read --help)\n\
                 write: writes records' fields back into their files' EXIF, IPTC and XMP (phr-meta write --help)"
            );
        }
        Some("-V") | Some("--version") => println!("phr-meta {}", env!("CARGO_PKG_VERSION")),
        other => {
            let what = other.map_or("a subcommand is missing".to_string(), |o| format!("unknown subcommand {o:?}"));
            eprintln!("phr-meta: {what}: read, write (see 'phr-meta --help')");
            std::process::exit(phr_tasks::exit_codes::USAGE);
        }
    }
}
