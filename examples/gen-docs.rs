//! Writes the man pages (`man/`) and shell completions (`completions/`) from the clap
//! definitions. Run `cargo run --example gen-docs` after changing any command-line option;
//! the test suite fails while the checked-in copies differ from what this writes.

use clap::CommandFactory;
use std::path::Path;

/// The programs whose docs are generated.
pub fn commands() -> Vec<clap::Command> {
    let mut all = vec![
        phr_tasks::cli::taskctl::Taskctl::command(),
        phr_tasks::cli::tasksched::Tasksched::command(),
        phr_tasks::cli::record::RecordCli::command(),
    ];
    // A kind run as a program's subcommand (`phr-meta read`) is documented under that program.
    let mut programs: Vec<clap::Command> = Vec::new();
    for kind in phr_tasks::kinds::registry::kinds() {
        let invoked = kind.invoked_as();
        match invoked.as_slice() {
            [_] => all.push(kind.command()),
            [program, sub, ..] => {
                let cmd = kind.command().name(sub.clone()).bin_name(format!("{program} {sub}"));
                match programs.iter_mut().find(|p| p.get_name() == program) {
                    Some(p) => *p = p.clone().subcommand(cmd),
                    None => programs.push(
                        clap::Command::new(program.clone())
                            .version(env!("CARGO_PKG_VERSION"))
                            .about("the metadata task kinds")
                            .subcommand_required(true)
                            .subcommand(cmd),
                    ),
                }
            }
            [] => {}
        }
    }
    all.extend(programs);
    all
}

/// Writes every man page and completion file under `root`.
pub fn generate(root: &Path) -> std::io::Result<()> {
    let man = root.join("man");
    let completions = root.join("completions");
    std::fs::create_dir_all(&man)?;
    std::fs::create_dir_all(&completions)?;
    for mut cmd in commands() {
        cmd.build();
        write_man_pages(&cmd, &man)?;
        let name = cmd.get_name().to_string();
        for shell in [clap_complete::Shell::Bash, clap_complete::Shell::Zsh, clap_complete::Shell::Fish] {
            let file = match shell {
                clap_complete::Shell::Zsh => format!("_{name}"),
                clap_complete::Shell::Fish => format!("{name}.fish"),
                _ => format!("{name}.bash"),
            };
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd.clone(), name.clone(), &mut out);
            std::fs::write(completions.join(file), out)?;
        }
    }
    Ok(())
}

/// One page for the program and one per subcommand (`taskctl-add.1`), as git does.
fn write_man_pages(cmd: &clap::Command, dir: &Path) -> std::io::Result<()> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
    std::fs::write(dir.join(format!("{}.1", cmd.get_name())), out)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        let name = format!("{}-{}", cmd.get_name(), sub.get_name());
        let sub = sub.clone().name(name.clone()).display_name(name.clone());
        let mut out = Vec::new();
        clap_mangen::Man::new(sub).render(&mut out)?;
        std::fs::write(dir.join(format!("{name}.1")), out)?;
    }
    Ok(())
}

#[allow(dead_code)]
fn main() {
    let root =
        std::env::args_os().nth(1).map(std::path::PathBuf::from).unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
    if let Err(e) = generate(&root) {
        eprintln!("gen-docs: {e}");
        std::process::exit(73);
    }
}
