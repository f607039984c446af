// Package cdkcontext reads the "context" block of cdk.json, so tests build their apps with the
// same feature flags that `cdk synth` passes to the app (awscdk.NewApp does not read cdk.json).
package cdkcontext

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Load returns the context of the cdk.json found in dir or the nearest parent directory.
func Load(dir string) (map[string]interface{}, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for d := abs; ; d = filepath.Dir(d) {
		raw, err := os.ReadFile(filepath.Join(d, "cdk.json"))
		if err == nil {
			var cfg struct {
				Context map[string]interface{} `json:"context"`
			}
			if err := json.Unmarshal(raw, &cfg); err != nil {
				return nil, fmt.Errorf("%s: %w", filepath.Join(d, "cdk.json"), err)
			}
			return cfg.Context, nil
		}
		if filepath.Dir(d) == d {
			return nil, fmt.Errorf("no cdk.json in %s or any parent directory", abs)
		}
	}
}
