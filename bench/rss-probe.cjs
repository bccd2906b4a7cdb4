// Loaded with --require: reports the process's peak RSS on exit (stderr), for the benchmark.
process.on('exit', () => process.stderr.write(`\nBENCH_MAX_RSS_MB=${(process.resourceUsage().maxRSS / 1024).toFixed(1)}\n`))
