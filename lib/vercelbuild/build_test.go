package vercelbuild_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const renamed = "vercel-build/renamed"

// entrypoint is one api/ file as the builder sees it.
type entrypoint struct {
	path    string // relative to the repository root
	pkg     string
	handler string
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestAPIHoldsOnlyValidEntrypoints(t *testing.T) {
	root := repoRoot(t)
	eps := findEntrypoints(t, root)
	if len(eps) != 3 {
		t.Errorf("found %d entrypoints, want 3", len(eps))
	}
	for _, ep := range eps {
		if ep.pkg == "main" {
			t.Errorf("%s: package main is refused by the builder", ep.path)
		}
		if ep.handler == "" {
			t.Errorf("%s: no exported func(http.ResponseWriter, *http.Request)", ep.path)
		}
	}
}

func TestEveryEntrypointBuildsUnderARenamedModule(t *testing.T) {
	root := repoRoot(t)
	work := t.TempDir()
	copyRenamed(t, root, work)
	for _, ep := range findEntrypoints(t, root) {
		dir := filepath.Join(work, "vc__launcher", strings.TrimSuffix(filepath.Base(ep.path), ".go"))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		main := fmt.Sprintf(`package main

import (
	"net/http"

	fn %q
)

func main() { http.Handle("/", http.HandlerFunc(fn.%s)) }
`, renamed+"/"+filepath.ToSlash(filepath.Dir(ep.path)), ep.handler)
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(main), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "build", "-o", os.DevNull, "./vc__launcher/...")
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build under a renamed module: %v\n%s", err, out)
	}
}

func findEntrypoints(t *testing.T, root string) []entrypoint {
	t.Helper()
	var eps []entrypoint
	perDir := map[string]string{}
	err := filepath.WalkDir(filepath.Join(root, "api"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := d.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") ||
			strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		ep := inspect(t, path)
		ep.path = rel
		if prev, ok := perDir[filepath.Dir(rel)]; ok {
			t.Errorf("%s and %s share a directory: vercel dev compiles one file alone", prev, rel)
		}
		perDir[filepath.Dir(rel)] = rel
		eps = append(eps, ep)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return eps
}

// inspect finds the package name and the handler the way the builder does:
// an exported function taking (http.ResponseWriter, *http.Request), with
// net/http imported under its own name.
func inspect(t *testing.T, path string) entrypoint {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ep := entrypoint{pkg: file.Name.Name}
	for _, imp := range file.Imports {
		if imp.Path.Value == `"net/http"` && imp.Name != nil {
			t.Errorf("%s: net/http imported as %s; the builder looks for http.", path, imp.Name.Name)
		}
	}
	for _, decl := range file.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if ok && fn.Recv == nil && fn.Name.IsExported() && isHandlerShape(fn.Type) {
			ep.handler = fn.Name.Name
		}
	}
	return ep
}

func isHandlerShape(ft *ast.FuncType) bool {
	params := ft.Params.List
	var types []string
	for _, p := range params {
		n := max(len(p.Names), 1)
		for range n {
			types = append(types, exprString(p.Type))
		}
	}
	return len(types) == 2 && types[0] == "http.ResponseWriter" && types[1] == "*http.Request" &&
		ft.Results == nil
}

func exprString(e ast.Expr) string {
	switch v := e.(type) {
	case *ast.StarExpr:
		return "*" + exprString(v.X)
	case *ast.SelectorExpr:
		return exprString(v.X) + "." + v.Sel.Name
	case *ast.Ident:
		return v.Name
	}
	return ""
}

// copyRenamed copies the module's Go sources into dst with the module path
// replaced, as the builder does.
func copyRenamed(t *testing.T, root, dst string) {
	t.Helper()
	module := modulePath(t, root)
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !keep(d.Name()) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out := strings.ReplaceAll(string(data), module, renamed)
		return os.WriteFile(filepath.Join(dst, rel), []byte(out), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func keep(name string) bool {
	return name == "go.mod" || name == "go.sum" || strings.HasSuffix(name, ".sql") ||
		(strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go"))
}

func modulePath(t *testing.T, root string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "module "); ok {
			return strings.TrimSpace(rest)
		}
	}
	t.Fatal("no module line in go.mod")
	return ""
}
