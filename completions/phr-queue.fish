complete -c phr-queue -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c phr-queue -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c phr-queue -l task -d 'Take the settings, period and limits of task NAME (tasks.d/NAME.toml); flags override them' -r
complete -c phr-queue -l period -d 'Without --once: time between the starts of two passes (default: the task\'s period)' -r
complete -c phr-queue -l job -d 'Run queued job ID of this kind (what workers do; by hand it is `taskctl run ID`)' -r
complete -c phr-queue -s j -l jobs -d 'Jobs run at once' -r
complete -c phr-queue -l once -d 'Run one pass and exit (for cron): exit 0 when the pass ran, even if items were set aside'
complete -c phr-queue -l dry-run -d 'Say what one pass would do and change nothing (implies --once)'
complete -c phr-queue -s h -l help -d 'Print help'
complete -c phr-queue -s V -l version -d 'Print version'
