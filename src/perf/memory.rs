//! The process's memory as Linux reports it in /proc/self/status.

/// One line of /proc/self/status (Linux), e.g. `VmHWM:   81234 kB`.
fn proc_status(key: &str) -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(key))
        .map(str::to_string)
}

fn status_mb(key: &str) -> Option<f64> {
    let kb: f64 = proc_status(key)?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Peak resident memory of this process.
pub fn peak_rss_mb() -> Option<f64> {
    status_mb("VmHWM:")
}

/// Resident memory of this process now.
pub fn rss_mb() -> Option<f64> {
    status_mb("VmRSS:")
}

/// Starts the peak over from the memory resident now (Linux: `5` to /proc/self/clear_refs).
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// With `WAMOD_PERF_MEM`, RSS at a stage, stamped in wall-clock seconds: a profile taken with
/// `perf record -k realtime` can then be cut to a stage with `perf report --time`.
pub(super) fn mem(stage: &str) {
    if std::env::var_os("WAMOD_PERF_MEM").is_some() {
        let [rss, hwm, anon, file] = ["VmRSS:", "VmHWM:", "RssAnon:", "RssFile:"]
            .map(|k| proc_status(k).unwrap_or_default());
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        eprintln!("{stage}: {rss} {hwm} {anon} {file} at {t:.6}");
    }
}
