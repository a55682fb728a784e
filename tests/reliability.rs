//! The reliability contract, through the binary: nothing the user owns is lost, nothing hangs,
//! memory stays bounded, and every failure is exit 2 with a message (docs/robustness.md).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{command_in, planlint_in, root};

fn plan_text() -> String {
    std::fs::read_to_string(
        root().join("tests/fixtures/plans/mengjin-district-2021-2025.plan.toml"),
    )
    .unwrap()
}

/// A folder holding one good plan, `plan.plan.toml`.
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.plan.toml");
    std::fs::write(&plan, plan_text()).unwrap();
    (dir, plan)
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Exit 2, saying why.
fn assert_refused(out: &std::process::Output, why: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    assert!(stderr(out).contains(why), "{}", stderr(out));
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".planlint-"))
        .collect()
}

/// Run with a deadline: a hang is a failure, not a stuck test suite.
fn run_within(mut cmd: Command, limit: Duration) -> std::process::Output {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let waiter = std::thread::spawn(move || child.wait_with_output().unwrap());
    let started = Instant::now();
    while !waiter.is_finished() {
        if started.elapsed() > limit {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("planlint still runs after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    waiter.join().unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_device_is_exit_2_with_the_path_named() {
    let (dir, _) = project();
    let out = planlint_in(
        &["check", "plan.plan.toml", "--output-file", "json=/dev/full"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot write /dev/full"),
        "{}",
        stderr(&out)
    );

    // Standard output on a full device: exit 2, for check, import --stdout and schema alike.
    for args in [
        vec!["check", "plan.plan.toml", "--format", "json"],
        vec!["schema"],
        vec!["rules"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = command_in(&args, dir.path()).stdout(full).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("standard output"), "{}", stderr(&out));
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let (dir, _) = project();
    let mut child = command_in(&["check", "plan.plan.toml"], dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read nothing: close the pipe at once, as `| head -0` does.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!stderr(&out).contains("error"), "{}", stderr(&out));
}

#[test]
fn an_output_never_overwrites_an_input_or_another_output() {
    let (dir, plan) = project();
    let before = std::fs::read(&plan).unwrap();
    let out = planlint_in(
        &[
            "check",
            "plan.plan.toml",
            "--output-file",
            "json=plan.plan.toml",
            "--force",
        ],
        dir.path(),
    );
    assert_refused(&out, "which this run reads");
    assert_eq!(std::fs::read(&plan).unwrap(), before);
    // Found by walking the folder, and spelt another way: still an input.
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let out = planlint_in(
        &[
            "check",
            ".",
            "--output-file",
            "sarif=./sub/../plan.plan.toml",
        ],
        dir.path(),
    );
    assert_refused(&out, "which this run reads");
    assert_eq!(std::fs::read(&plan).unwrap(), before);

    // Two outputs, one file: refused before anything is written.
    let out = planlint_in(
        &[
            "check",
            "plan.plan.toml",
            "--output-file",
            "json=r.json",
            "--output-file",
            "sarif=./r.json",
        ],
        dir.path(),
    );
    assert_refused(&out, "name the same file");
    assert!(!dir.path().join("r.json").exists());
}

#[test]
fn a_file_planlint_did_not_write_needs_force() {
    let (dir, _) = project();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "my notes").unwrap();
    let out = planlint_in(
        &["check", "plan.plan.toml", "--output-file", "json=notes.txt"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes");
    let out = planlint_in(
        &["check", "plan.plan.toml", "--write-baseline", "notes.txt"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes");

    // Its own reports and baselines are rewritten run after run, in every format.
    for format in ["json", "sarif", "human", "concise", "github"] {
        let spec = format!("{format}=report.{format}");
        for _ in 0..2 {
            let out = planlint_in(
                &["check", "plan.plan.toml", "--output-file", &spec],
                dir.path(),
            );
            assert_ne!(out.status.code(), Some(2), "{format}: {}", stderr(&out));
        }
    }
    for _ in 0..2 {
        let out = planlint_in(
            &[
                "check",
                "plan.plan.toml",
                "--write-baseline",
                "baseline.json",
            ],
            dir.path(),
        );
        assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    }
    // --force replaces anything.
    let out = planlint_in(
        &[
            "check",
            "plan.plan.toml",
            "--output-file",
            "json=notes.txt",
            "--force",
        ],
        dir.path(),
    );
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(std::fs::read_to_string(&notes)
        .unwrap()
        .contains("\"tool\": \"planlint\""));
    assert!(temp_files(dir.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_no_temporary_file() {
    let (dir, _) = project();
    // The run blocks reading a named pipe given by name, after its output file is open.
    let fifo = dir.path().join("wait.plan.toml");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let mut child = command_in(
        &["check", "wait.plan.toml", "--output-file", "json=out.json"],
        dir.path(),
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let started = Instant::now();
    while temp_files(dir.path()).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no output was begun"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(
        temp_files(dir.path()).is_empty(),
        "{:?}",
        temp_files(dir.path())
    );
    assert!(!dir.path().join("out.json").exists());
}

#[cfg(target_os = "linux")]
#[test]
fn temporary_files_of_a_killed_run_are_removed_by_the_next_write() {
    let (dir, _) = project();
    // A process id no process has (above the kernel's maximum), and an older naming.
    let stale = dir.path().join(".planlint-4999999-abc123.tmp");
    std::fs::write(&stale, "half a report").unwrap();
    let unrelated = dir.path().join(".planlint-notes.txt");
    std::fs::write(&unrelated, "not ours").unwrap();
    let out = planlint_in(
        &["check", "plan.plan.toml", "--output-file", "json=out.json"],
        dir.path(),
    );
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!stale.exists());
    assert!(unrelated.exists());
}

#[cfg(unix)]
#[test]
fn special_files_in_a_folder_are_skipped_with_a_note_not_waited_for() {
    let (dir, _) = project();
    for name in ["pipe.plan.toml", "pack.rules"] {
        let path = dir.path().join(name);
        assert!(Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap()
            .success());
    }
    for args in [
        vec!["check", "."],
        vec!["rules", "--rules", "."],
        vec!["test", "."],
    ] {
        let mut cmd = command_in(&args, dir.path());
        cmd.current_dir(dir.path());
        let out = run_within(cmd, Duration::from_secs(30));
        let err = stderr(&out);
        assert!(err.contains("not a regular file"), "{args:?}: {err}");
    }
}

#[cfg(unix)]
#[test]
fn endless_inputs_are_read_up_to_their_limit() {
    let (dir, _) = project();
    for (args, expected) in [
        (vec!["check", "/dev/zero"], "too large"),
        (
            vec!["check", "plan.plan.toml", "--config", "/dev/zero"],
            "larger than 1 MB",
        ),
        (
            vec!["check", "plan.plan.toml", "--baseline", "/dev/zero"],
            "larger than 256 MB",
        ),
        (vec!["import", "/dev/zero", "--stdout"], "too large"),
    ] {
        let out = run_within(command_in(&args, dir.path()), Duration::from_secs(60));
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        assert!(all.contains(expected), "{args:?}: {all}");
    }
    // A pack that never ends, reached through a folder of packs.
    let packs = dir.path().join("packs");
    std::fs::create_dir(&packs).unwrap();
    std::os::unix::fs::symlink("/dev/zero", packs.join("zero.rules")).unwrap();
    let out = run_within(
        command_in(&["rules", "--rules", "packs"], dir.path()),
        Duration::from_secs(30),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn links_out_of_the_folder_are_not_followed_and_never_echoed() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.plan.toml");
    std::fs::write(&secret, "password = \"hunter2\"\n").unwrap();
    let (dir, _) = project();
    std::os::unix::fs::symlink(&secret, dir.path().join("leak.plan.toml")).unwrap();
    let out = planlint_in(&["check", "."], dir.path());
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(all.contains("a link to a file outside"), "{all}");
    assert!(!all.contains("hunter2"));
    // Followed when asked: checked, but its lines are not printed.
    let out = planlint_in(&["check", ".", "--follow-links"], dir.path());
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(all.contains("leak.plan.toml"), "{all}");
    assert!(!all.contains("hunter2"), "{all}");
    assert!(all.contains("its lines are not shown"), "{all}");

    // Found by the folder_walk fuzzer: a planlint.toml that links (here through a plan link)
    // to the file outside was read, and its lines printed in the configuration's error.
    std::os::unix::fs::symlink("leak.plan.toml", dir.path().join("planlint.toml")).unwrap();
    let out = planlint_in(&["check", "."], dir.path());
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("outside its folder"), "{all}");
    assert!(!all.contains("hunter2"), "{all}");
}

#[test]
fn findings_are_bounded_per_rule_and_counted() {
    // 20,000 basis entries that are not document numbers.
    let text = plan_text();
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with("basis"))
        .map(str::to_owned)
        .collect();
    let at = lines.iter().position(|l| l == "[plan]").unwrap() + 1;
    let entries: Vec<String> = (0..20_000).map(|i| format!("\"第{i}号\"")).collect();
    lines.insert(at, format!("basis = [{}]", entries.join(", ")));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("many.plan.toml"), lines.join("\n")).unwrap();
    let out = planlint_in(&["check", "many.plan.toml", "--format", "json"], dir.path());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = json["files"][0]["findings"].as_array().unwrap();
    assert!(findings.len() <= 1001, "{} findings", findings.len());
    let counted = findings
        .iter()
        .filter(|f| f["label"].as_str().unwrap_or("").contains("同类问题"))
        .count();
    assert!(counted >= 1, "the rest are counted in one finding per rule");
}

#[test]
fn a_long_extends_chain_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..300 {
        let parent = if i == 0 {
            "national-2021".to_owned()
        } else {
            format!("p{}", i - 1)
        };
        std::fs::write(
            dir.path().join(format!("p{i}.rules")),
            format!("pack p{i} {{\n  title \"t{i}\"\n  extends {parent}\n  abstract\n}}\n"),
        )
        .unwrap();
    }
    let out = planlint_in(&["rules", "--rules", "."], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("rules/extends-too-deep").count(), 1, "{text}");
    assert!(!text.contains("rules/broken-parent"));
}

#[test]
fn escape_sequences_in_a_plan_reach_no_terminal() {
    let text = plan_text().replacen(
        "农民科学素质提升行动",
        "农民\u{1b}]0;owned\u{7}\u{1b}[2J行动",
        1,
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("esc.plan.toml"), text).unwrap();
    for format in ["human", "concise", "github"] {
        let out = planlint_in(&["check", "esc.plan.toml", "--format", format], dir.path());
        assert!(
            !out.stdout.contains(&0x1b),
            "{format}: raw ESC in the output"
        );
        assert!(
            !out.stdout.contains(&0x07),
            "{format}: raw BEL in the output"
        );
    }
}

#[test]
fn a_docx_whose_text_is_too_long_is_refused_not_read_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.docx");
    // 17 MB of XML that compresses to a few hundred KB.
    let line = "（一）青少年科学素质提升行动。".repeat(20);
    let text = std::iter::repeat_n(line.as_str(), 20_000)
        .collect::<Vec<_>>()
        .join("\n");
    common::write_docx(&path, &text);
    assert!(std::fs::metadata(&path).unwrap().len() < 16 * 1024 * 1024);
    let out = run_within(
        command_in(&["import", "huge.docx", "--stdout"], dir.path()),
        Duration::from_secs(60),
    );
    assert_eq!(out.status.code(), Some(2));
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(all.contains("decompresses to more than"), "{all}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_standard_error_is_no_panic() {
    let (dir, _) = project();
    for args in [
        vec!["check", "plan.plan.toml", "--statistics"],
        vec!["check", "missing.plan.toml"],
        vec!["explain", "no/such-rule"],
        vec!["import", "missing.txt"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = command_in(&args, dir.path()).stderr(full).output().unwrap();
        // 101 is Rust's exit code for a panic.
        assert!(
            matches!(out.status.code(), Some(0..=2)),
            "{args:?}: {:?}",
            out.status
        );
    }
}

#[test]
fn a_baseline_can_be_refreshed_in_place() {
    let (dir, _) = project();
    let out = planlint_in(
        &["check", "plan.plan.toml", "--write-baseline", "b.json"],
        dir.path(),
    );
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = planlint_in(
        &[
            "check",
            "plan.plan.toml",
            "--baseline",
            "b.json",
            "--write-baseline",
            "b.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("wrote the baseline b.json"));
    // As a report, the baseline is an input like any other.
    let out = planlint_in(
        &[
            "check",
            "plan.plan.toml",
            "--baseline",
            "b.json",
            "--output-file",
            "json=b.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
}
