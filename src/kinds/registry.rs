//! The one registry of what phr-tasks can run by name: task kinds (each also a `phr-KIND`
//! binary, and a job function when it takes jobs) and job functions that run inside the worker
//! (`noop`). Adding a kind is one line in [`REGISTRY`] (its description) and one in `RUNNERS`
//! (its code).

use super::{
    archive, exec, index, meta_read, meta_write, queue, subdef, Context, Field, KindError, Mode, PassReport, TaskKind,
};
use crate::error::{Error, Result};
use crate::job::{Claimed, Outcome};
use std::any::Any;
use std::marker::PhantomData;
use std::path::Path;
use std::sync::Arc;

/// Everything phr-tasks runs by name.
pub static REGISTRY: &[Entry] = &[
    Entry::Job(Builtin {
        name: "noop",
        summary: "does nothing and succeeds (tests, benchmarks)",
        run: |_| Outcome::Done,
    }),
    Entry::Kind(&Registered::<queue::Queue>(PhantomData)),
    Entry::Kind(&Registered::<exec::Exec>(PhantomData)),
    Entry::Kind(&Registered::<archive::Archive>(PhantomData)),
    Entry::Kind(&Registered::<meta_read::MetaRead>(PhantomData)),
    Entry::Kind(&Registered::<subdef::Subdef>(PhantomData)),
    Entry::Kind(&Registered::<meta_write::MetaWrite>(PhantomData)),
    Entry::Kind(&Registered::<index::IndexKind>(PhantomData)),
];

/// One registry line.
pub enum Entry {
    /// A job function run inside the worker: only for work that cannot hang or crash.
    Job(Builtin),
    /// A task kind; its jobs, if it takes any, run isolated as `phr-KIND --job ID`.
    Kind(&'static dyn AnyKind),
}

/// A job function compiled into the worker.
pub struct Builtin {
    /// The function name jobs use.
    pub name: &'static str,
    /// One line for listings and error messages.
    pub summary: &'static str,
    /// Runs the job in the worker process.
    pub run: fn(&JobContext<'_>) -> Outcome,
}

/// What an in-worker job function receives.
pub struct JobContext<'a> {
    /// The job as claimed.
    pub job: &'a Claimed,
    /// The data dir, for functions that work next to the queue.
    pub data_dir: &'a Path,
}

/// How a job function runs, once found by name.
pub enum JobFunction {
    /// Inside the worker.
    InProcess(&'static Builtin),
    /// As `phr-KIND --job ID`, with the job's timeout, so a panic or a hang takes only itself down.
    Isolated(&'static dyn AnyKind),
}

/// The task kind named `name`.
pub fn find(name: &str) -> Option<&'static dyn AnyKind> {
    kinds().find(|k| k.name() == name)
}

/// Every task kind, in registry order.
pub fn kinds() -> impl Iterator<Item = &'static dyn AnyKind> {
    REGISTRY.iter().filter_map(|e| match e {
        Entry::Kind(k) => Some(*k),
        Entry::Job(_) => None,
    })
}

/// The built-in job function named `name`, if any.
pub fn job_function(name: &str) -> Option<JobFunction> {
    REGISTRY.iter().find_map(|e| match e {
        Entry::Job(b) if b.name == name => Some(JobFunction::InProcess(b)),
        Entry::Kind(k) if k.name() == name && k.takes_jobs() => Some(JobFunction::Isolated(*k)),
        _ => None,
    })
}

/// The message for a kind nobody registered.
pub fn unknown_kind(name: &str) -> String {
    let known: Vec<&str> = kinds().map(|k| k.name()).collect();
    format!("unknown task kind {name:?} (known: {})", known.join(", "))
}

/// A running kind's passes, whatever its settings and state types.
pub trait Session {
    /// Runs one pass.
    fn pass(&mut self, ctx: &Context<'_>) -> std::result::Result<PassReport, KindError>;
}

/// A task kind seen without its types, so the scheduler can hold tasks of every kind.
pub trait AnyKind: Sync {
    fn name(&self) -> &'static str;
    fn summary(&self) -> &'static str;
    fn mode(&self) -> Mode;
    fn fields(&self) -> &'static [Field];
    /// The `[settings]` part of `taskctl new`'s template, values from `Default`.
    fn settings_template(&self) -> String;
    /// Settings keys whose values `Default` gives but [`AnyKind::fields`] does not document.
    fn undocumented(&self) -> Vec<String>;
    /// Parses and checks a task file's `[settings]`, errors with their position.
    fn parse_settings(&self, path: &Path, text: &str) -> Result<Arc<dyn Any + Send + Sync>>;
    /// Whether `taskctl add NAME ARGS…` makes sense for this kind.
    fn takes_jobs(&self) -> bool;
    /// The `phr-NAME` command line, for man pages and completions.
    fn command(&self) -> clap::Command;
    /// The program and leading arguments that run it (`["phr-meta", "read"]`).
    fn invoked_as(&self) -> Vec<String>;
}

impl std::fmt::Debug for dyn AnyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What runs a kind's passes, apart from its description: only the programs that run passes
/// (`tasksched`'s workers, the kinds' own programs) reach the kinds' code through it, so
/// `taskctl`, which only reads descriptions, stays small and starts fast.
pub trait KindRunner: Sync {
    /// Opens a worker's session on settings from [`AnyKind::parse_settings`].
    fn session(
        &self,
        ctx: &Context<'_>,
        settings: &(dyn Any + Send + Sync),
    ) -> std::result::Result<Box<dyn Session>, KindError>;
}

/// The runners, in the order of the kinds in [`REGISTRY`].
static RUNNERS: &[(&str, &dyn KindRunner)] = &[
    (queue::Queue::NAME, &Registered::<queue::Queue>(PhantomData)),
    (exec::Exec::NAME, &Registered::<exec::Exec>(PhantomData)),
    (archive::Archive::NAME, &Registered::<archive::Archive>(PhantomData)),
    (meta_read::MetaRead::NAME, &Registered::<meta_read::MetaRead>(PhantomData)),
    (subdef::Subdef::NAME, &Registered::<subdef::Subdef>(PhantomData)),
    (meta_write::MetaWrite::NAME, &Registered::<meta_write::MetaWrite>(PhantomData)),
    (index::IndexKind::NAME, &Registered::<index::IndexKind>(PhantomData)),
];

/// Opens a session of the kind named `kind` (a task's worker).
pub fn session(
    kind: &str,
    ctx: &Context<'_>,
    settings: &(dyn Any + Send + Sync),
) -> std::result::Result<Box<dyn Session>, KindError> {
    let runner = RUNNERS
        .iter()
        .find(|(name, _)| *name == kind)
        .map(|(_, r)| *r)
        .ok_or_else(|| Error::Config(format!("no runner for kind {kind}")))?;
    runner.session(ctx, settings)
}

impl<K: TaskKind> KindRunner for Registered<K> {
    fn session(
        &self,
        ctx: &Context<'_>,
        settings: &(dyn Any + Send + Sync),
    ) -> std::result::Result<Box<dyn Session>, KindError> {
        let settings = settings
            .downcast_ref::<K::Settings>()
            .ok_or_else(|| Error::Config(format!("settings given to kind {} are not its own", K::NAME)))?;
        typed_session::<K>(ctx, settings.clone())
    }
}

/// A [`TaskKind`] as a registry entry.
pub struct Registered<K>(pub PhantomData<fn() -> K>);

/// A session over typed settings and state.
struct Typed<K: TaskKind> {
    settings: K::Settings,
    state: K::State,
}

impl<K: TaskKind> Session for Typed<K> {
    fn pass(&mut self, ctx: &Context<'_>) -> std::result::Result<PassReport, KindError> {
        K::pass(&mut self.state, ctx, &self.settings)
    }
}

/// Opens a session of kind `K` on `settings` (used by `phr-KIND`, which knows its type).
pub fn typed_session<K: TaskKind>(
    ctx: &Context<'_>,
    settings: K::Settings,
) -> std::result::Result<Box<dyn Session>, KindError> {
    let state = K::open(ctx, &settings)?;
    Ok(Box::new(Typed::<K> { settings, state }))
}

impl<K: TaskKind> AnyKind for Registered<K> {
    fn name(&self) -> &'static str {
        K::NAME
    }
    fn summary(&self) -> &'static str {
        K::SUMMARY
    }
    fn mode(&self) -> Mode {
        K::MODE
    }
    fn fields(&self) -> &'static [Field] {
        K::FIELDS
    }
    fn settings_template(&self) -> String {
        super::template::render(K::FIELDS, &K::Settings::default())
    }
    fn undocumented(&self) -> Vec<String> {
        super::template::undocumented(K::FIELDS, &K::Settings::default())
    }
    fn parse_settings(&self, path: &Path, text: &str) -> Result<Arc<dyn Any + Send + Sync>> {
        let file: crate::tasks::TaskFile<K::Settings> = crate::config::parse_toml(path, text)?;
        K::check(&file.settings)
            .map_err(|bad| crate::config::error_at(path, text, &["settings", bad.key], bad.reason))?;
        Ok(Arc::new(file.settings))
    }
    fn takes_jobs(&self) -> bool {
        K::job_settings(&[], K::Settings::default()).is_some()
    }
    fn command(&self) -> clap::Command {
        super::entry::command::<K>()
    }
    fn invoked_as(&self) -> Vec<String> {
        super::entry::invoked_as::<K>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_is_documented_and_every_template_is_a_valid_task() {
        for kind in kinds() {
            assert!(kind.undocumented().is_empty(), "{}: undocumented {:?}", kind.name(), kind.undocumented());
            let text = crate::tasks::template(kind, "t");
            let parsed = crate::tasks::parse("t", Path::new("t.toml"), &text);
            assert!(parsed.is_ok(), "{}: {:?}\n{text}", kind.name(), parsed.err());
        }
    }

    #[test]
    fn every_kind_has_a_runner() {
        for kind in kinds() {
            assert!(RUNNERS.iter().any(|(name, _)| *name == kind.name()), "{}: no line in RUNNERS", kind.name());
        }
        assert_eq!(RUNNERS.len(), kinds().count());
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = REGISTRY
            .iter()
            .map(|e| match e {
                Entry::Job(b) => b.name,
                Entry::Kind(k) => k.name(),
            })
            .collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}
