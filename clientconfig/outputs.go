// Package clientconfig turns the outputs of a deployed apiless stack into frontend configuration:
// an amplify_outputs.json that Amplify JS v6 reads with Amplify.configure(), and a .env whose
// VITE_ variables any Vite app can read through import.meta.env.
//
// It reads the file that `cdk deploy --outputs-file outputs.json` writes, or the JSON that
// `aws cloudformation describe-stacks` prints, picks the stack that publishes the
// manifest.OutputKey output, and relies on that manifest alone: the per-value outputs (Region,
// UserPoolId, ...) are for humans. Nobody copies an ID by hand.
//
// The package uses the standard library only and does no I/O except in Load.
package clientconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/apiless/apiless/manifest"
)

// Stack is one CloudFormation stack found in an outputs file.
type Stack struct {
	// Name is the stack name.
	Name string
	// Outputs maps an output key to its value. Values that were not JSON strings in the file
	// (a hand-written manifest object, say) hold their raw JSON text.
	Outputs map[string]string
}

// HasManifest reports whether the stack publishes the apiless manifest output.
func (s Stack) HasManifest() bool {
	_, ok := s.Outputs[manifest.OutputKey]
	return ok
}

// describeStacks is the shape `aws cloudformation describe-stacks` prints.
type describeStacks struct {
	Stacks []struct {
		StackName string `json:"StackName"`
		Outputs   []struct {
			OutputKey   string `json:"OutputKey"`
			OutputValue string `json:"OutputValue"`
		} `json:"Outputs"`
	} `json:"Stacks"`
}

const shapeHint = `expected the file that "cdk deploy --outputs-file" writes ({"StackName": {"OutputKey": "value"}}) ` +
	`or what "aws cloudformation describe-stacks" prints ({"Stacks": [{"StackName": ..., "Outputs": [...]}]})`

// ParseOutputs reads the stacks of an outputs file in either accepted shape. file names the
// source in error messages. Stacks come back in file order for describe-stacks and sorted by name
// for cdk outputs (a JSON object has no order).
func ParseOutputs(data []byte, file string) ([]Stack, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, fmt.Errorf("outputs file %q is JSON but not an object: %s", file, shapeHint)
		}
		return nil, fmt.Errorf("outputs file %q is not valid JSON: %s", file, describeJSONError(data, err))
	}
	if top == nil {
		return nil, fmt.Errorf("outputs file %q holds null: %s", file, shapeHint)
	}

	if raw, ok := top["Stacks"]; ok && isJSONArray(raw) {
		var ds describeStacks
		if err := json.Unmarshal(data, &ds); err != nil {
			return nil, fmt.Errorf("outputs file %q looks like describe-stacks output but does not parse: %v", file, err)
		}
		stacks := make([]Stack, 0, len(ds.Stacks))
		for i, s := range ds.Stacks {
			if s.StackName == "" {
				return nil, fmt.Errorf("outputs file %q: Stacks[%d] has no StackName", file, i)
			}
			st := Stack{Name: s.StackName, Outputs: map[string]string{}}
			for _, o := range s.Outputs {
				st.Outputs[o.OutputKey] = o.OutputValue
			}
			stacks = append(stacks, st)
		}
		return stacks, nil
	}

	names := slices.Sorted(maps.Keys(top))
	stacks := make([]Stack, 0, len(names))
	for _, name := range names {
		var outs map[string]json.RawMessage
		if err := json.Unmarshal(top[name], &outs); err != nil || outs == nil {
			return nil, fmt.Errorf("outputs file %q: the value of %q is not an object of outputs: %s", file, name, shapeHint)
		}
		st := Stack{Name: name, Outputs: map[string]string{}}
		for key, raw := range outs {
			var s string
			if err := json.Unmarshal(raw, &s); err == nil {
				st.Outputs[key] = s
			} else {
				st.Outputs[key] = string(bytes.TrimSpace(raw))
			}
		}
		stacks = append(stacks, st)
	}
	return stacks, nil
}

// SelectStack picks the apiless stack: the one named by name when name is not empty, else the
// only stack that publishes the manifest output.
func SelectStack(stacks []Stack, name, file string) (Stack, error) {
	all := make([]string, 0, len(stacks))
	var apiless []Stack
	for _, s := range stacks {
		all = append(all, s.Name)
		if s.HasManifest() {
			apiless = append(apiless, s)
		}
	}
	if name != "" {
		for _, s := range stacks {
			if s.Name != name {
				continue
			}
			if !s.HasManifest() {
				return Stack{}, fmt.Errorf("stack %q in %q has no %q output (its outputs: %s): it is not an apiless stack, or it was deployed by an older apiless",
					name, file, manifest.OutputKey, listOrNone(slices.Sorted(maps.Keys(s.Outputs))))
			}
			return s, nil
		}
		return Stack{}, fmt.Errorf("outputs file %q has no stack %q (stacks in the file: %s)", file, name, listOrNone(all))
	}
	switch len(apiless) {
	case 1:
		return apiless[0], nil
	case 0:
		if len(stacks) == 0 {
			return Stack{}, fmt.Errorf("outputs file %q holds no stacks: was the deploy successful? (cdk deploy --outputs-file %s)", file, file)
		}
		return Stack{}, fmt.Errorf("outputs file %q has no apiless stack: no stack has an %q output (stacks in the file: %s)",
			file, manifest.OutputKey, listOrNone(all))
	default:
		names := make([]string, len(apiless))
		for i, s := range apiless {
			names[i] = s.Name
		}
		return Stack{}, fmt.Errorf("outputs file %q has %d apiless stacks (%s): choose one with --stack NAME",
			file, len(apiless), strings.Join(names, ", "))
	}
}

// ReadOutputsFile reads and parses an outputs file from disk.
func ReadOutputsFile(path string) ([]Stack, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("outputs file %q does not exist: write it with \"npx cdk deploy --outputs-file %s\"", path, path)
		}
		return nil, fmt.Errorf("cannot read outputs file %q: %v", path, err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("outputs file %q is empty: did the deploy finish? (npx cdk deploy --outputs-file %s)", path, path)
	}
	return ParseOutputs(data, path)
}

func isJSONArray(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '['
}

// describeJSONError adds the line and column to a syntax error.
func describeJSONError(data []byte, err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		line, col := 1, 1
		for _, b := range data[:min(int(syn.Offset), len(data))] {
			if b == '\n' {
				line++
				col = 1
			} else {
				col++
			}
		}
		return fmt.Sprintf("line %d, column %d: %v", line, col, err)
	}
	return err.Error()
}

func listOrNone(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, ", ")
}
