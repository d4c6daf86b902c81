// Package benchmarks measures the SDK side by side with a hand-written net/http + encoding/json
// client against the same loopback server, and the emulator's own throughput. It holds no code
// users import; see BENCHMARKS.md at the repository root for the command, the machine, the budgets
// and the results.
package benchmarks
