//! wamod's entry point: options, error hooks, logging, then the UI loop over the engine.

use std::process::ExitCode;

use clap::Parser;
use color_eyre::eyre::{Result, WrapErr, eyre};

use wamod::app::msg::Msg;
use wamod::app::state::{AppState, Level, StatusLine};
use wamod::app::update::update;
use wamod::cli::Cli;
use wamod::config::Config;
use wamod::data_lock::DataLock;
use wamod::engine::{self, Endpoint, EngineConfig, VersionSource};
use wamod::paths::{Paths, private_dir};
use wamod::protocol::Action;
use wamod::ui::Theme;
use wamod::{event_loop, logging, tui};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut paths = Paths::from_env();
    if let Some(dir) = &cli.data_dir {
        paths.data_dir = dir.clone();
    }
    if cli.version {
        print_version(&cli, &paths);
        return ExitCode::SUCCESS;
    }
    if let Some(command) = &cli.command {
        return match run_command(command, &paths) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("wamod: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if cli.demo && !cfg!(feature = "sim-demo") {
        eprintln!(
            "wamod: this build has no simulator; the demo needs one: cargo run --features sim-demo -- --demo"
        );
        return ExitCode::FAILURE;
    }
    // Before anything under the data directory is touched (the demo wipes its folder).
    let _lock = match DataLock::acquire(&paths.data_dir) {
        Ok(lock) => lock,
        Err(e) => {
            eprintln!("wamod: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = install_hooks() {
        eprintln!("wamod: {e}");
        return ExitCode::FAILURE;
    }
    wamod::heap::one_arena();
    match run(cli, paths) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tui::restore();
            // One line a user can act on; the report with its location and backtrace only
            // when asked for (RUST_BACKTRACE), since these are refusals, not bugs.
            if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
                eprintln!("wamod: {e:?}");
            } else {
                eprintln!("wamod: {e:#}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Non-interactive subcommands: read the database, print, exit.
fn run_command(command: &wamod::cli::CliCommand, paths: &Paths) -> Result<(), String> {
    use wamod::cli::CliCommand;
    use wamod::protocol::Filter;
    use wamod::store::Store;
    match command {
        CliCommand::Export {
            table,
            format,
            session,
            group,
            output,
        } => {
            let store = Store::open_existing(&paths.database()).map_err(|e| e.to_string())?;
            let filter = Filter {
                session: *session,
                group: group.clone(),
            };
            match output {
                Some(path) => {
                    let rows = store
                        .export_to_file(*table, *format, &filter, path)
                        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                    eprintln!("{rows} rows written to {}", path.display());
                }
                None => {
                    let mut out = std::io::stdout().lock();
                    store
                        .export(*table, *format, &filter, &mut out)
                        .map_err(|e| e.to_string())?;
                    std::io::Write::flush(&mut out).map_err(|e| e.to_string())?;
                }
            }
            Ok(())
        }
        #[cfg(feature = "sim-demo")]
        CliCommand::Perf {
            serve,
            first_frame,
            measure,
            ws,
            http,
            token,
        } => {
            use wamod::perf::harness;
            let done = if *serve {
                harness::serve()
            } else if let Some(dir) = first_frame {
                harness::first_frame(dir)
            } else if let (Some(dir), Some(ws), Some(http), Some(token)) =
                (measure, ws, http, token)
            {
                harness::measure_child(ws, http, token, dir)
            } else {
                std::env::current_exe()
                    .map_err(anyhow::Error::from)
                    .and_then(|exe| harness::run(&exe))
            };
            done.map_err(|e| format!("{e:#}"))
        }
    }
}

fn print_version(cli: &Cli, paths: &Paths) {
    println!("wamod {}", env!("CARGO_PKG_VERSION"));
    let config = cli.config.clone().unwrap_or_else(|| paths.config_file());
    println!("config: {}", config.display());
    println!("data:   {}", paths.data_dir.display());
    println!("log:    {}", paths.log_file().display());
    if cfg!(feature = "sim-demo") {
        println!("build:  sim-demo (talks only to the built-in simulator)");
    }
}

/// color-eyre's hooks, with the terminal restored before any report is printed.
fn install_hooks() -> Result<()> {
    let (panic_hook, eyre_hook) = color_eyre::config::HookBuilder::default().into_hooks();
    eyre_hook.install()?;
    let panic_hook = panic_hook.into_panic_hook();
    std::panic::set_hook(Box::new(move |info| {
        tui::restore();
        tracing::error!("panic: {info}");
        wamod::crash::record(wamod::crash::describe(info));
        panic_hook(info);
    }));
    Ok(())
}

fn run(cli: Cli, paths: Paths) -> Result<()> {
    // A mistyped filter is said before anything starts, not silently replaced.
    logging::parse_filter(cli.log_level.as_deref()).map_err(|e| eyre!(e))?;
    private_dir(&paths.state_dir).wrap_err("creating the state directory")?;
    let _log_guard = logging::init(&paths.log_file(), cli.log_level.as_deref())
        .wrap_err("opening the log file")?;
    let config_path = cli.config.clone().unwrap_or_else(|| paths.config_file());
    let loaded = Config::load(&config_path);
    let (keymap, key_warnings) = loaded.config.keymap();
    let mut warnings = loaded.warnings;
    warnings.extend(key_warnings);
    for w in &warnings {
        tracing::warn!("config {}: {w}", config_path.display());
    }
    let theme = theme_for(&loaded.config, &mut warnings);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .wrap_err("starting the async runtime")?;
    runtime.block_on(async move {
        let target = Target::choose(&cli, &paths, &loaded.config).await?;
        target.endpoint.check().map_err(|e| eyre!(e))?;
        private_dir(&paths.data_dir).wrap_err("creating the data directory")?;
        // The first frame comes from the cache, before any network work.
        let mut state = AppState::new(keymap, chrono::Utc::now().timestamp());
        let cached_view = engine::first_frame(&target.database, &target.sessions_dir);
        update(&mut state, Msg::EngineBatch(cached_view));
        let mut engine = engine::spawn(EngineConfig {
            sessions_dir: target.sessions_dir.clone(),
            endpoint: target.endpoint.clone(),
            version: target.version.clone(),
            database: Some(target.database.clone()),
            op_timeout: EngineConfig::DEFAULT_OP_TIMEOUT,
            pace: loaded.config.pace,
            resync_after: EngineConfig::RESYNC_AFTER,
        });
        if let Some(first) = warnings.first() {
            state.status = Some(StatusLine {
                text: format!("config: {first} (using defaults for it; see the log)"),
                level: Level::Error,
                until: state.now + 15,
            });
        }
        if target.is_demo() || engine::existing_sessions(&target.sessions_dir).is_empty() {
            // Nothing linked yet: start pairing right away.
            let _ = engine.actions.send(Action::NewSession);
        }
        let mouse = loaded.config.mouse && !cli.no_mouse;
        let mut term = tui::Tui::enter(mouse).wrap_err("setting up the terminal")?;
        let result = target
            .run_ui(&mut term, &mut engine, &mut state, &theme)
            .await;
        drop(term);
        if let Some(left) = event_loop::shutdown(engine).await {
            tracing::warn!("{left}");
            eprintln!("wamod: {left}");
        }
        result.map_err(|e| eyre!("{e:#}"))
    })
}

/// What this run talks to: WhatsApp, or (in sim-demo builds, with `--demo`) the simulator, and
/// where its sessions and database live.
struct Target {
    endpoint: Endpoint,
    version: VersionSource,
    sessions_dir: std::path::PathBuf,
    database: std::path::PathBuf,
    #[cfg(feature = "sim-demo")]
    demo: Option<(wamod::demo::Demo, event_loop::SideChannel)>,
}

impl Target {
    /// WhatsApp itself; the version is fetched from WhatsApp Web unless `wa_version` pins one.
    fn whatsapp(paths: &Paths, config: &Config) -> Self {
        Target {
            endpoint: Endpoint::WhatsApp,
            version: config
                .wa_version
                .map_or_else(VersionSource::whatsapp_web, VersionSource::Pinned),
            sessions_dir: paths.sessions_dir(),
            database: paths.database(),
            #[cfg(feature = "sim-demo")]
            demo: None,
        }
    }

    /// Default builds have no simulator; `main` refuses `--demo` before getting here.
    #[cfg(not(feature = "sim-demo"))]
    async fn choose(_cli: &Cli, paths: &Paths, config: &Config) -> Result<Self> {
        Ok(Self::whatsapp(paths, config))
    }

    #[cfg(feature = "sim-demo")]
    async fn choose(cli: &Cli, paths: &Paths, config: &Config) -> Result<Self> {
        if !cli.demo {
            return Ok(Self::whatsapp(paths, config));
        }
        // A fresh demo every time: the simulator forgets paired devices when it stops.
        let dir = paths.data_dir.join("demo");
        let _ = std::fs::remove_dir_all(&dir);
        let (demo, notices) = wamod::demo::Demo::start()
            .await
            .map_err(|e| eyre!("{e:#}"))?;
        // Where the simulator's admin routes answer (a random port) and this run's token, for
        // the user's scripts and curl; a web page can reach the port but not these files.
        for (name, text) in [
            ("admin-url", demo.listener.http_base()),
            ("admin-token", demo.listener.admin_token().to_string()),
        ] {
            let file = dir.join(name);
            wamod::paths::private_file(&file)
                .and_then(|()| std::fs::write(&file, text))
                .wrap_err_with(|| format!("writing the demo's {name}"))?;
        }
        Ok(Target {
            endpoint: Endpoint::WebSocket(demo.listener.ws_url()),
            version: VersionSource::simulator(),
            sessions_dir: dir.join("sessions"),
            database: dir.join("wamod.db"),
            demo: Some((demo, notices)),
        })
    }

    fn is_demo(&self) -> bool {
        #[cfg(feature = "sim-demo")]
        return self.demo.is_some();
        #[cfg(not(feature = "sim-demo"))]
        false
    }

    /// The UI loop; in the demo, the simulated phone watches the updates and feeds its own.
    async fn run_ui(
        self,
        term: &mut tui::Tui,
        engine: &mut engine::EngineHandle,
        state: &mut AppState,
        theme: &Theme,
    ) -> anyhow::Result<()> {
        #[cfg(feature = "sim-demo")]
        if let Some((mut demo, side)) = self.demo {
            return event_loop::run(&mut term.terminal, engine, state, theme, Some(side), |u| {
                demo.on_update(u)
            })
            .await;
        }
        event_loop::run(&mut term.terminal, engine, state, theme, None, |_| {}).await
    }
}

fn theme_for(config: &Config, warnings: &mut Vec<String>) -> Theme {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return Theme::monochrome();
    }
    let base = Theme::by_name(&config.theme).unwrap_or_else(|| {
        warnings.push(format!("theme: unknown theme \"{}\"", config.theme));
        Theme::dark()
    });
    let (theme, errors) = base.with_overrides(&config.theme_overrides);
    warnings.extend(errors);
    theme
}
