//! `phr-subdef` beyond plain images: an embedded ICC profile applied (checked against the
//! profile's own arithmetic), lossy WebP, a format change replacing the old file, and
//! documents that are not images going through real programs (Debian's ffmpeg for a video's
//! poster frame and mp4 preview, poppler's pdftoppm for a PDF's first page), with their
//! failures and time limit.

use crate::archive::{archive, hot, records};
use crate::subdef::{by_name, near, open_subdef, rgb_at, show, subdef, subdef_world, task, PHR_SUBDEF};
use crate::util::World;
use image::{GenericImageView, Rgb, RgbImage};
use std::path::Path;
use std::process::Command;

/// An RGB profile with sRGB's primaries and white but linear (gamma 1.0) curves, made with
/// Little CMS and embedded by exiftool.
fn embed_linear_profile(file: &Path) {
    let white = lcms2::CIExyY { x: 0.3127, y: 0.3290, Y: 1.0 };
    let primaries = lcms2::CIExyYTRIPLE {
        Red: lcms2::CIExyY { x: 0.64, y: 0.33, Y: 1.0 },
        Green: lcms2::CIExyY { x: 0.30, y: 0.60, Y: 1.0 },
        Blue: lcms2::CIExyY { x: 0.15, y: 0.06, Y: 1.0 },
    };
    let linear = lcms2::ToneCurve::new(1.0);
    let profile = lcms2::Profile::new_rgb(&white, &primaries, &[&linear, &linear, &linear]).unwrap();
    let icc = file.with_extension("icc");
    std::fs::write(&icc, profile.icc().unwrap()).unwrap();
    let out = Command::new("exiftool")
        .args(["-q", "-overwrite_original", &format!("-ICC_Profile<={}", icc.display())])
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    std::fs::remove_file(icc).unwrap();
}

#[test]
fn an_embedded_icc_profile_is_applied() {
    let w = subdef_world();
    // Mid grey stored in linear light: 0.502 linear is sRGB 0.737, 188 of 255.
    let jpeg = hot(&w).join("linear.jpg");
    RgbImage::from_pixel(200, 100, Rgb([128, 128, 128])).save(&jpeg).unwrap();
    embed_linear_profile(&jpeg);
    let png = hot(&w).join("linear.png");
    RgbImage::from_pixel(200, 100, Rgb([128, 128, 128])).save(&png).unwrap();
    embed_linear_profile(&png);
    RgbImage::from_pixel(200, 100, Rgb([128, 128, 128])).save(hot(&w).join("plain.jpg")).unwrap();
    archive(&w, &[]).ok();
    w.phr(PHR_SUBDEF, &["--once"]).ok();
    let all = records(&w);
    for name in ["linear.jpg", "linear.png"] {
        let thumb = open_subdef(&w, &by_name(&all, name), "thumbnail");
        assert!(near(rgb_at(&thumb, 0.5, 0.5), [188, 188, 188], 3), "{name}: {:?}", rgb_at(&thumb, 0.5, 0.5));
    }
    let plain = open_subdef(&w, &by_name(&all, "plain.jpg"), "thumbnail");
    assert!(near(rgb_at(&plain, 0.5, 0.5), [128, 128, 128], 3), "no profile: taken as sRGB");
}

/// Adds a sub-definition to the `photos` collection of `w`'s config.
fn add_subdef(w: &World, name: &str, lines: &str) {
    let config = std::fs::read_to_string(w.config()).unwrap();
    std::fs::write(w.config(), format!("{config}[collections.photos.subdefs.{name}]\n{lines}\n")).unwrap();
}

#[test]
fn webp_is_lossy_at_the_quality_asked_and_a_changed_format_replaces_the_old_files() {
    let w = subdef_world();
    add_subdef(&w, "web", "size = 300\nformat = \"webp\"\nquality = 80");
    let noisy = RgbImage::from_fn(600, 400, |x, y| Rgb([((x * 7) ^ (y * 3)) as u8, (x * y) as u8, 90]));
    noisy.save(hot(&w).join("noisy.png")).unwrap();
    archive(&w, &[]).ok();
    w.phr(PHR_SUBDEF, &["--once"]).ok();
    let record = &records(&w)[0];
    let id = record["id"].as_i64().unwrap();
    let web = subdef(&show(&w, id), "web").clone();
    assert_eq!(web["mime"], "image/webp");
    let bytes = std::fs::read(w.data().join(web["path"].as_str().unwrap())).unwrap();
    assert_eq!(&bytes[12..16], b"VP8 ", "a lossy WebP (VP8, not VP8L)");
    let decoded = image::load_from_memory(&bytes).unwrap();
    assert_eq!(decoded.dimensions(), (300, 200));

    // The preview becomes a JPEG: the PNG goes once the store points to the JPEG.
    let old = w.data().join(subdef(&show(&w, id), "preview")["path"].as_str().unwrap());
    assert!(old.exists());
    // A file an earlier format change left behind (a crash between the commit and its
    // removal) goes too; files that are not this sub-definition's stay.
    let folder = old.parent().unwrap().to_path_buf();
    let planted = |name: &str| {
        let p = folder.join(name.replace("ID", &id.to_string()));
        std::fs::write(&p, b"x").unwrap();
        p
    };
    let crashed = planted("ID-preview.webp");
    let others = [planted("ID-preview.png.bak"), planted("ID-previews.png"), planted("ID0-preview.png")];
    let config = std::fs::read_to_string(w.config()).unwrap();
    let config = config.replace("size = 200\nformat = \"png\"", "size = 200\nformat = \"jpeg\"");
    std::fs::write(w.config(), config).unwrap();
    w.phr(PHR_SUBDEF, &["--once", "--record", &id.to_string()]).ok();
    let preview = subdef(&show(&w, id), "preview").clone();
    assert_eq!(preview["mime"], "image/jpeg");
    assert!(w.data().join(preview["path"].as_str().unwrap()).exists());
    assert!(!old.exists(), "{} left behind", old.display());
    assert!(!crashed.exists(), "{} left behind", crashed.display());
    for other in others {
        assert!(other.exists(), "{} is not the preview's, and stays", other.display());
    }
    assert!(
        w.data().join(subdef(&show(&w, id), "web")["path"].as_str().unwrap()).exists(),
        "the other sub-definition stays"
    );
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A 2-second 320x240 blue video with a tone, made by ffmpeg.
fn video(path: &Path) {
    let p = path.to_str().unwrap();
    run(
        "ffmpeg",
        &[
            "-nostdin",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=c=0x1e3cc8:s=320x240:d=2:r=10",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=2",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            p,
        ],
    );
}

/// A one-page PDF, 400 x 200 points, red on its left half: written by hand, byte offsets and
/// all, so the test needs no PDF maker.
fn pdf(path: &Path) {
    let content = "1 0 0 rg 0 0 200 200 re f\n0 0 1 rg 200 0 200 200 re f\n";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Contents 4 0 R /Resources << >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for o in offsets {
        out.push_str(&format!("{o:010} 00000 n \n"));
    }
    out.push_str(&format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1));
    std::fs::write(path, out).unwrap();
}

fn ffprobe_size(path: &Path) -> (u32, u32) {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,codec_name"])
        .args(["-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let parts: Vec<&str> = text.trim().split(',').collect();
    assert_eq!(parts[0], "h264", "{text}");
    (parts[1].parse().unwrap(), parts[2].parse().unwrap())
}

#[test]
fn a_video_gets_a_poster_frame_and_an_mp4_preview_and_a_pdf_its_first_page() {
    let w = subdef_world();
    add_subdef(&w, "clip", "size = 160\nformat = \"mp4\"");
    video(&hot(&w).join("blue.mp4"));
    pdf(&hot(&w).join("page.pdf"));
    RgbImage::from_pixel(100, 100, Rgb([0, 200, 0])).save(hot(&w).join("green.jpg")).unwrap();
    archive(&w, &[]).ok();
    w.phr(PHR_SUBDEF, &["--once"]).ok();
    let all = records(&w);
    let blue = by_name(&all, "blue.mp4");
    assert_eq!(blue["mime"], "video/mp4", "{blue}");
    let poster = open_subdef(&w, &blue, "thumbnail");
    assert_eq!(poster.dimensions(), (64, 48));
    assert!(near(rgb_at(&poster, 0.5, 0.5), [0x1e, 0x3c, 0xc8], 12), "{:?}", rgb_at(&poster, 0.5, 0.5));
    let clip = subdef(&blue, "clip");
    assert_eq!(clip["state"], "done", "{blue}");
    assert_eq!(clip["mime"], "video/mp4");
    assert_eq!(ffprobe_size(&w.data().join(clip["path"].as_str().unwrap())), (160, 120));
    assert_eq!((&clip["width"], &clip["height"]), (&160.into(), &120.into()), "stored, as ffprobe says: {clip}");
    assert!(blue["pending"].as_array().unwrap().iter().all(|p| p != "subdefs"), "{blue}");

    let page = by_name(&all, "page.pdf");
    let preview = open_subdef(&w, &page, "preview");
    assert_eq!(preview.dimensions(), (200, 100));
    assert!(near(rgb_at(&preview, 0.25, 0.5), [255, 0, 0], 10), "{:?}", rgb_at(&preview, 0.25, 0.5));
    assert!(near(rgb_at(&preview, 0.75, 0.5), [0, 0, 255], 10), "{:?}", rgb_at(&preview, 0.75, 0.5));
    assert!(page["subdefs"].as_array().unwrap().iter().all(|s| s["name"] != "clip"), "no video of a PDF: {page}");

    let green = by_name(&all, "green.jpg");
    assert!(green["subdefs"].as_array().unwrap().iter().all(|s| s["name"] != "clip"), "no video of an image");
    assert!(green["pending"].as_array().unwrap().iter().all(|p| p != "subdefs"), "{green}");
    // Nothing is left in the scratch folder.
    let left: Vec<_> = std::fs::read_dir(w.data().join("tmp")).unwrap().flatten().map(|e| e.path()).collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_failing_or_hanging_program_fails_the_record_with_its_reason() {
    let w = subdef_world();
    task(
        &w,
        "command_timeout = \"1s\"\n\
         [settings.commands.\"application/pdf\"]\n\
         image = [\"sh\", \"-c\", \"echo 'cannot open {input}' >&2; exit 3\", \"{output}\"]\n\
         [settings.commands.\"video/*\"]\n\
         image = [\"sh\", \"-c\", \"sleep 30\", \"{input}\", \"{output}\"]",
    );
    pdf(&hot(&w).join("page.pdf"));
    video(&hot(&w).join("blue.mp4"));
    archive(&w, &[]).ok();
    let t0 = std::time::Instant::now();
    w.phr(PHR_SUBDEF, &["--once", "--task", "sd"]).code(65);
    assert!(t0.elapsed() < std::time::Duration::from_secs(20), "the time limit held: {:?}", t0.elapsed());
    let all = records(&w);
    let page = show(&w, by_name(&all, "page.pdf")["id"].as_i64().unwrap());
    let reason = subdef(&page, "thumbnail")["reason"].as_str().unwrap().to_string();
    assert!(reason.contains("exit status 3") && reason.contains("cannot open"), "{reason}");
    let blue = show(&w, by_name(&all, "blue.mp4")["id"].as_i64().unwrap());
    let reason = subdef(&blue, "thumbnail")["reason"].as_str().unwrap().to_string();
    assert!(reason.contains("timed out after 1s"), "{reason}");
    assert!(blue["pending"].as_array().unwrap().iter().any(|p| p == "subdefs"), "never marked done: {blue}");
    assert_eq!(std::fs::read_dir(w.data().join("tmp")).unwrap().count(), 0, "scratch folders removed");
}

#[test]
fn a_bad_command_table_is_refused_at_its_line() {
    let w = subdef_world();
    task(&w, "[settings.commands.\"video\"]\nimage = [\"ffmpeg\", \"{input}\", \"{output}\"]");
    let run = w.phr(PHR_SUBDEF, &["--once", "--task", "sd"]).code(78);
    assert!(run.stderr.contains("is not a MIME type"), "{run:#?}");
}

/// Pids of processes whose command line mentions `needle`.
fn processes_naming(needle: &str) -> Vec<i32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else { continue };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains(needle) && crate::util::process_alive(pid) {
            found.push(pid);
        }
    }
    found
}

/// The program (a python that started a second one, as a shell would) is killed with
/// phr-subdef; what it started outlives the kill -9, and the next pass finds it by its working
/// directory, the scratch folder, and kills it before removing the folder.
#[test]
fn kill_9_during_a_conversion_takes_the_program_down_and_the_next_pass_what_it_started() {
    let w = subdef_world();
    let slow = |limit: &str| {
        format!(
            "command_timeout = \"{limit}\"\n\
             [settings.commands.\"application/pdf\"]\n\
             image = [\"python3\", \"-c\", \"import subprocess, sys, time; \
             subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(61)', sys.argv[1]]); \
             time.sleep(60)\", \"{{input}}\", \"{{output}}\"]"
        )
    };
    task(&w, &slow("60s")); // only kill -9 ends this run's program
    pdf(&hot(&w).join("page.pdf"));
    archive(&w, &[]).ok();
    // The data dir is a fresh temp dir: only this test's programs name it.
    let needle = w.data().to_string_lossy().to_string();
    let running = |what: &str| {
        processes_naming(&needle)
            .into_iter()
            .filter(|pid| {
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                let cmdline = String::from_utf8_lossy(&cmdline);
                cmdline.contains("sleep(61)") && cmdline.contains("sleep(60)") == (what == "program")
            })
            .count()
    };
    let mut child = w.program_command(PHR_SUBDEF).args(["--once", "--task", "sd"]).spawn().unwrap();
    crate::util::wait_for(20, "the conversion to start", || running("started") == 1);
    let scratch = || std::fs::read_dir(w.data().join("tmp")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(scratch(), 1, "one scratch folder while it runs");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    crate::util::wait_for(10, "the program to die with phr-subdef", || running("program") == 0);
    assert_eq!(running("started"), 1, "what the program started outlives the kill -9");
    assert_eq!(scratch(), 1, "left by the killed run");
    task(&w, &slow("1s"));
    w.phr(PHR_SUBDEF, &["--once", "--task", "sd"]).code(65);
    crate::util::wait_for(10, "the next pass to kill what was left", || processes_naming(&needle).is_empty());
    assert_eq!(scratch(), 0, "the next pass removes what the killed run left");
}

#[test]
fn a_subdef_that_carries_metadata_gets_the_records_values_after_it_is_built() {
    let w = subdef_world();
    let config = std::fs::read_to_string(w.config()).unwrap();
    std::fs::write(w.config(), config.replace("size = 64\nquality = 90\n", "size = 64\nquality = 90\nmeta = true\n"))
        .unwrap();
    let file = hot(&w).join("titled.jpg");
    RgbImage::from_pixel(300, 200, Rgb([40, 90, 160])).save(&file).unwrap();
    crate::util::write_tags(&file, &["-XMP-dc:Title=Été à Nîmes"]);
    archive(&w, &[]).ok();
    let id = records(&w)[0]["id"].as_i64().unwrap();
    let marked = |r: &serde_json::Value| r["pending"].as_array().unwrap().iter().any(|p| p == "meta-write");
    assert!(!marked(&show(&w, id)), "archived: nothing to write yet");
    w.phr(PHR_SUBDEF, &["--once"]).ok();
    let record = show(&w, id);
    assert!(marked(&record), "built with meta = true: marked for meta-write {record}");
    w.phr(env!("CARGO_BIN_EXE_phr-meta"), &["write", "--once"]).ok();
    let record = show(&w, id);
    let thumb = w.data().join(subdef(&record, "thumbnail")["path"].as_str().unwrap());
    let preview = w.data().join(subdef(&record, "preview")["path"].as_str().unwrap());
    let title = |f: &Path| crate::util::exiftool(&["-s3", "-XMP-dc:Title", f.to_str().unwrap()]).trim().to_string();
    assert_eq!(title(&thumb), "Été à Nîmes", "the thumbnail carries the record's title");
    assert_eq!(title(&preview), "", "the preview (no meta) is left as built");
    assert_eq!(std::fs::metadata(&thumb).unwrap().len() as i64, subdef(&record, "thumbnail")["size"].as_i64().unwrap());
}

#[test]
fn metadata_cannot_be_carried_by_an_mp4_subdef() {
    let w = subdef_world();
    add_subdef(&w, "clip", "size = 160\nformat = \"mp4\"\nmeta = true");
    let run = w.phr(PHR_SUBDEF, &["--once"]).code(78);
    assert!(run.stderr.contains("clip.meta") && run.stderr.contains("mp4"), "{run:#?}");
}

#[test]
fn a_program_that_makes_no_single_regular_file_fails_with_what_it_made() {
    let w = subdef_world();
    let table = |script: &str| {
        format!(
            "[settings.commands.\"application/pdf\"]\n\
             image = [\"sh\", \"-c\", \"{script}\", \"sh\", \"{{output}}\", \"{{input}}\"]"
        )
    };
    pdf(&hot(&w).join("page.pdf"));
    archive(&w, &[]).ok();
    let id = records(&w)[0]["id"].as_i64().unwrap();
    for (script, said) in [
        ("touch \\\"$1.a.png\\\" \\\"$1.b.png\\\"", "made 2 files, not one output file"),
        ("ln -s /etc/passwd \\\"$1.png\\\"", "made something that is not a regular file"),
        ("true", "made nothing"),
    ] {
        task(&w, &table(script));
        w.phr(PHR_SUBDEF, &["--once", "--task", "sd", "--record", &id.to_string()]).code(65);
        let reason = subdef(&show(&w, id), "thumbnail")["reason"].as_str().unwrap().to_string();
        assert!(reason.contains(said), "{script}: {reason}");
    }
}
