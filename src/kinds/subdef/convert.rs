//! Documents that are not images (a video, a PDF) get their sub-definitions as Phraseanet
//! makes them: a program declared per MIME type turns the document into an image (a video's
//! poster frame, a PDF's first page), which is then scaled like any image; a video can also
//! get video sub-definitions (a short preview) made by the program directly. The programs run
//! without a shell, in a group of their own, with a time limit.
//!
//! Arguments may hold `{input}` (the stored original), `{output}` (a path without extension in
//! a private scratch folder: the program adds its own), and `{size}` (the largest side wanted).

use crate::databox::files::ScratchDir;
use crate::kinds::Invalid;
use crate::process::{self, Ran};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The programs for one MIME type (or `type/*`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Converter {
    /// Makes one image of the document; empty: none (the document gets no image sub-definitions).
    pub image: Vec<String>,
    /// Makes a video sub-definition (format `mp4`) of the document; empty: none.
    pub video: Vec<String>,
}

/// Video sub-definition formats: made by a converter's `video` program, never by scaling.
pub const VIDEO_FORMATS: &[&str] = &["mp4"];

/// The table used when a task declares none: Debian's ffmpeg for videos, poppler's pdftoppm
/// for PDFs.
pub fn default_commands() -> BTreeMap<String, Converter> {
    let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
    let ffmpeg = "ffmpeg -nostdin -hide_banner -loglevel error -y -i {input}";
    let fit = "scale=w='min({size},iw)':h='min({size},ih)':force_original_aspect_ratio=decrease,\
               scale=trunc(iw/2)*2:trunc(ih/2)*2";
    let mut video = words(&format!("{ffmpeg} -t 10 -map 0:v:0 -map 0:a:0? -vf"));
    video.push(fit.to_string());
    video.extend(words(
        "-c:v libx264 -preset veryfast -crf 28 -pix_fmt yuv420p -c:a aac -b:a 96k -movflags +faststart {output}.mp4",
    ));
    BTreeMap::from([
        (
            "video/*".to_string(),
            Converter {
                // The most representative of the first frames, not a black first frame.
                image: words(&format!("{ffmpeg} -map 0:v:0 -vf thumbnail=25 -frames:v 1 {{output}}.png")),
                video,
            },
        ),
        (
            "application/pdf".to_string(),
            Converter {
                image: words("pdftoppm -png -f 1 -l 1 -singlefile -scale-to {size} {input} {output}"),
                video: Vec::new(),
            },
        ),
    ])
}

/// Checks a command table: MIME patterns `type/subtype` or `type/*`, programs that name their
/// input and output.
pub fn check(commands: &BTreeMap<String, Converter>) -> Result<(), Invalid> {
    for (mime, c) in commands {
        let well_formed = mime.split_once('/').is_some_and(|(t, s)| {
            let token = |x: &str| !x.is_empty() && x.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
            token(t) && (s == "*" || token(s))
        });
        if !well_formed {
            return Err(Invalid::new("commands", format!("{mime:?} is not a MIME type (type/subtype or type/*)")));
        }
        for (what, argv) in [("image", &c.image), ("video", &c.video)] {
            if argv.is_empty() {
                continue;
            }
            for needed in ["{input}", "{output}"] {
                if !argv.iter().any(|a| a.contains(needed)) {
                    return Err(Invalid::new("commands", format!("{mime}'s {what} command never names {needed}")));
                }
            }
        }
    }
    Ok(())
}

/// The converter for a document of type `mime`: an exact entry, else its `type/*` entry.
pub fn converter_for<'a>(commands: &'a BTreeMap<String, Converter>, mime: &str) -> Option<&'a Converter> {
    let mime = mime.to_ascii_lowercase();
    commands.get(&mime).or_else(|| commands.get(&format!("{}/*", mime.split('/').next().unwrap_or(""))))
}

/// Runs `argv` on `input` into `scratch`; returns the one file it made.
pub fn run(argv: &[String], input: &Path, size: u32, scratch: &ScratchDir, limit: Duration) -> Result<PathBuf, String> {
    // Absolute: the program runs in the scratch folder, and a data dir may be given relative.
    let absolute = |p: &Path| std::path::absolute(p).map_err(|e| format!("{}: {e}", p.display()));
    let (input, output) = (absolute(input)?, absolute(&scratch.path().join("out"))?);
    let fill = |a: &String| {
        a.replace("{input}", &input.to_string_lossy())
            .replace("{output}", &output.to_string_lossy())
            .replace("{size}", &size.to_string())
    };
    let args: Vec<String> = argv.iter().map(fill).collect();
    let Some((program, rest)) = args.split_first() else { return Err("no command".into()) };
    let log = scratch.path().join("stderr");
    let stderr = std::fs::File::create(&log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let mut cmd = process::group_command(program);
    // Working in the scratch folder: whatever it leaves running after a kill -9 of this run
    // is found there by the next pass (`files::remove_stale_staged`).
    cmd.args(rest).current_dir(scratch.path()).stdout(std::process::Stdio::null()).stderr(stderr);
    let ran = process::run_timed(&mut cmd, limit, Duration::from_secs(2))
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let said = last_line(&log);
    match ran {
        Ran::TimedOut => return Err(format!("{program} timed out after {}", humantime::format_duration(limit))),
        Ran::Exited(status) if !status.success() => {
            return Err(format!(
                "{program}: {}{}",
                process::describe(status),
                said.map(|s| format!(": {s}")).unwrap_or_default()
            ))
        }
        Ran::Exited(_) => {}
    }
    made_file(scratch.path(), &log).map_err(|made| format!("{program} made {made}, not one output file"))
}

/// The width and height of a made video's first video stream, asked of ffprobe (it comes
/// with ffmpeg, the default video program), run like the programs above; `None` when ffprobe
/// is not installed or cannot tell: the sizes are then not stored, and the video still is.
pub fn video_size(video: &Path, scratch: &ScratchDir, limit: Duration) -> Option<(u32, u32)> {
    let answer = scratch.path().join("ffprobe.out");
    let out = std::fs::File::create(&answer).ok()?;
    let mut cmd = process::group_command("ffprobe");
    cmd.args(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=s=x:p=0"])
        .arg(video)
        .current_dir(scratch.path())
        .stdin(std::process::Stdio::null())
        .stdout(out)
        .stderr(std::process::Stdio::null());
    match process::run_timed(&mut cmd, limit, Duration::from_secs(2)) {
        Ok(Ran::Exited(status)) if status.success() => {}
        other => {
            log::info!(
                "{}: its size is not stored: ffprobe {}",
                video.display(),
                match other {
                    Ok(Ran::Exited(status)) => process::describe(status),
                    Ok(Ran::TimedOut) => "timed out".into(),
                    Err(e) => format!("cannot run: {e}"),
                }
            );
            return None;
        }
    }
    let text = std::fs::read_to_string(&answer).ok()?;
    let (w, h) = text.lines().next()?.trim().split_once('x')?;
    Some((w.parse().ok()?, h.parse().ok()?)).filter(|&(w, h)| w > 0 && h > 0)
}

/// The one regular file a program wrote in the scratch folder (its stderr log aside; a link
/// is not taken, whatever it points to); else what it made instead.
fn made_file(dir: &Path, log: &Path) -> Result<PathBuf, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("an unreadable folder ({e})"))?;
    let mut made: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p != log).collect();
    match made.as_slice() {
        [one] if std::fs::symlink_metadata(one).is_ok_and(|m| m.is_file()) => Ok(made.remove(0)),
        [] => Err("nothing".into()),
        [_] => Err("something that is not a regular file".into()),
        many => Err(format!("{} files", many.len())),
    }
}

/// The last line a program wrote to stderr, for the record's failure reason.
fn last_line(log: &Path) -> Option<String> {
    let text = std::fs::read(log).ok()?;
    let text = String::from_utf8_lossy(&text);
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?.trim();
    Some(line.chars().take(300).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_types_win_over_wildcards() {
        let mut table = default_commands();
        table.insert("video/mp4".into(), Converter { image: vec!["x".into()], video: vec![] });
        assert_eq!(converter_for(&table, "video/mp4").map(|c| c.image.clone()), Some(vec!["x".to_string()]));
        assert!(converter_for(&table, "VIDEO/webm").is_some_and(|c| c.image[0] == "ffmpeg"));
        assert!(converter_for(&table, "application/pdf").is_some());
        assert!(converter_for(&table, "image/jpeg").is_none());
    }

    #[test]
    fn the_defaults_check_and_bad_tables_do_not() {
        assert!(check(&default_commands()).is_ok());
        let bad = |mime: &str, argv: &[&str]| {
            let c = Converter { image: argv.iter().map(|s| s.to_string()).collect(), video: vec![] };
            check(&BTreeMap::from([(mime.to_string(), c)])).is_err()
        };
        assert!(bad("video", &["ffmpeg", "{input}", "{output}"]));
        assert!(bad("video/*", &["ffmpeg", "{output}"]));
        assert!(bad("video/*", &["ffmpeg", "{input}"]));
        assert!(!bad("image/x-canon-cr2", &["dcraw", "{input}", "{output}"]));
    }
}
