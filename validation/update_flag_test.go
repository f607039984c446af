package validation

// Every test package accepts -update, so "go test ./... -update" (which refreshes the golden
// files elsewhere) runs here too instead of failing on an unknown flag.
import _ "github.com/apiless/apiless/internal/golden"
