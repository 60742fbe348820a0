// Command gen-python-sdk generates the Python SDK of a Pulumi package from its schema, with the
// Python code generator of github.com/pulumi/pulumi/pkg/v3 (codegen/python): the generator
// `pulumi package gen-sdk --language python` runs through the Python language host.
//
//	gen-python-sdk <schema.json> <output directory>
//
// The output directory is replaced whole, through a sibling temporary directory and a rename,
// so an interrupted run leaves the previous SDK in place.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// The name the generated files say they were written by.
const tool = "flamenco-landscape gen-python-sdk"

// noReferences refuses every package reference: the component package's schema refers to no
// other package.
type noReferences struct{}

func (noReferences) refused(name string) error {
	return fmt.Errorf("the schema refers to package %q; gen-python-sdk loads no other package", name)
}

func (l noReferences) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, l.refused(pkg)
}

func (l noReferences) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, l.refused(d.Name)
}

func (l noReferences) LoadPackageReference(pkg string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, l.refused(pkg)
}

func (l noReferences) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, l.refused(d.Name)
}

func generate(schemaPath, outDir string) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	pkg, diags, err := schema.BindSpec(spec, noReferences{}, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return fmt.Errorf("%s: %s", schemaPath, diags.Error())
	}
	files, err := python.GeneratePackage(tool, pkg, nil, noReferences{})
	if err != nil {
		return err
	}

	staging, err := os.MkdirTemp(filepath.Dir(outDir), ".gen-python-sdk-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(staging)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		target := filepath.Join(staging, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, files[name], 0o644); err != nil {
			return err
		}
	}
	if err := os.Chmod(staging, 0o755); err != nil {
		return err
	}
	previous := outDir + ".previous"
	if err := os.RemoveAll(previous); err != nil {
		return err
	}
	if _, err := os.Stat(outDir); err == nil {
		if err := os.Rename(outDir, previous); err != nil {
			return err
		}
	}
	if err := os.Rename(staging, outDir); err != nil {
		return err
	}
	return os.RemoveAll(previous)
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gen-python-sdk <schema.json> <output directory>")
		os.Exit(2)
	}
	if err := generate(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintf(os.Stderr, "gen-python-sdk: %v\n", err)
		os.Exit(1)
	}
}
