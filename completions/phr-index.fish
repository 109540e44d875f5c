complete -c phr-index -l config -d 'Configuration file to read instead of the default one' -r -F
complete -c phr-index -l data-dir -d 'Data directory (store, logs, run files)' -r -F
complete -c phr-index -l task -d 'Take the settings, period and limits of task NAME (tasks.d/NAME.toml); flags override them' -r
complete -c phr-index -l period -d 'Without --once: time between the starts of two passes (default: the task\'s period)' -r
complete -c phr-index -l job -d 'Run queued job ID of this kind (what workers do; by hand it is `taskctl run ID`)' -r
complete -c phr-index -l record -d 'Index this record now, marked or not (repeatable)' -r
complete -c phr-index -l batch -d 'Records indexed per transaction' -r
complete -c phr-index -l once -d 'Run one pass and exit (for cron): exit 0 when the pass ran, even if items were set aside'
complete -c phr-index -l dry-run -d 'Say what one pass would do and change nothing (implies --once)'
complete -c phr-index -l rebuild -d 'Empty the index and index every record again (one transaction; searches meanwhile see the old index)'
complete -c phr-index -s h -l help -d 'Print help'
complete -c phr-index -s V -l version -d 'Print version'
