// Package cdkcontext reads the "context" block of cdk.json, so tests build their apps with the
// same feature flags that `cdk synth` passes to the app (awscdk.NewApp does not read cdk.json).
package cdkcontext

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// cliDefaults is what the CDK CLI adds to the context it passes an app (measured with
// aws-cdk 2.1034.0 and this cdk.json, which turns version reporting off).
var cliDefaults = map[string]interface{}{
	"aws:cdk:enable-path-metadata":      true,
	"aws:cdk:enable-asset-metadata":     true,
	"aws:cdk:disable-version-reporting": true,
	"aws:cdk:bundling-stacks":           []interface{}{"**"},
}

// Load returns the context that `cdk synth` passes an app: the "context" block of the
// cdk.json found in dir or the nearest parent directory, plus the CLI's own defaults.
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
			if cfg.Context == nil {
				cfg.Context = map[string]interface{}{}
			}
			for k, v := range cliDefaults {
				cfg.Context[k] = v
			}
			return cfg.Context, nil
		}
		if filepath.Dir(d) == d {
			return nil, fmt.Errorf("no cdk.json in %s or any parent directory", abs)
		}
	}
}
