complete -c phr-exec -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c phr-exec -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c phr-exec -l task -d 'Take the settings, period and limits of task NAME (tasks.d/NAME.toml); flags override them' -r
complete -c phr-exec -l period -d 'Without --once: time between the starts of two passes (default: the task\'s period)' -r
complete -c phr-exec -l job -d 'Run queued job ID of this kind (what workers do; by hand it is `taskctl run ID`)' -r
complete -c phr-exec -l timeout -d 'Stop the command and its children after this long ("30s", "1h")' -r
complete -c phr-exec -l once -d 'Run one pass and exit (for cron): exit 0 when the pass ran, even if items were set aside'
complete -c phr-exec -l dry-run -d 'Say what one pass would do and change nothing (implies --once)'
complete -c phr-exec -s h -l help -d 'Print help'
complete -c phr-exec -s V -l version -d 'Print version'
