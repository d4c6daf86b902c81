package secrets_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoCheckAfterParallelSubtests: a check written after a loop of parallel subtests, in the same
// function, runs before those subtests do (t.Parallel pauses them until the function returns), so a
// check of what they did ("nothing was stored", "no request was made") passes whatever they do.
// Twice the suite held such a check. Checks of the subtests' effects belong in t.Cleanup or after a
// t.Run group that waits for them; checks that do not depend on them go before the subtests.
func TestNoCheckAfterParallelSubtests(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	checked := 0
	for _, path := range repoFiles(t, false) {
		if !strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		require.NoError(t, err)
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			var body *ast.BlockStmt
			switch fn := n.(type) {
			case *ast.FuncDecl:
				body = fn.Body
			case *ast.FuncLit:
				body = fn.Body
			}
			if body == nil {
				return true
			}
			started := false
			for _, st := range body.List {
				if started {
					if pos, ok := firstCheck(st); ok {
						assert.Fail(t, "a check after parallel subtests runs before them",
							"%s: move it before the subtests, or into t.Cleanup, or wrap the subtests in a t.Run group", fset.Position(pos))
					}
				}
				started = started || startsParallelSubtest(st)
			}
			return true
		})
	}
	require.Greater(t, checked, 50, "test files read")
}

// startsParallelSubtest reports whether st itself (not a function literal inside it) calls
// X.Run(name, func(...) { X.Parallel(); ... }).
func startsParallelSubtest(st ast.Stmt) bool {
	found := false
	inspectOutsideFuncLits(st, func(call *ast.CallExpr) {
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Run" && len(call.Args) == 2 {
			if fl, ok := call.Args[1].(*ast.FuncLit); ok && callsParallel(fl.Body) {
				found = true
			}
		}
	})
	return found
}

func callsParallel(body *ast.BlockStmt) bool {
	for _, st := range body.List {
		if es, ok := st.(*ast.ExprStmt); ok {
			if call, ok := es.X.(*ast.CallExpr); ok {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Parallel" {
					return true
				}
			}
		}
	}
	return false
}

// firstCheck returns the position of the first testify call (assert.X, require.X) or assertX/requireX
// helper that st makes itself, outside function literals (a t.Cleanup's body runs after the subtests).
func firstCheck(st ast.Stmt) (token.Pos, bool) {
	var pos token.Pos
	inspectOutsideFuncLits(st, func(call *ast.CallExpr) {
		if pos.IsValid() {
			return
		}
		switch fun := call.Fun.(type) {
		case *ast.SelectorExpr:
			if pkg, ok := fun.X.(*ast.Ident); ok && (pkg.Name == "assert" || pkg.Name == "require") {
				pos = call.Pos()
			}
		case *ast.Ident:
			if strings.HasPrefix(fun.Name, "assert") || strings.HasPrefix(fun.Name, "require") {
				pos = call.Pos()
			}
		}
	})
	return pos, pos.IsValid()
}

func inspectOutsideFuncLits(n ast.Node, visit func(*ast.CallExpr)) {
	ast.Inspect(n, func(x ast.Node) bool {
		if call, ok := x.(*ast.CallExpr); ok {
			visit(call)
			for _, arg := range call.Args { // the subtest's own function is looked at by callsParallel
				if _, ok := arg.(*ast.FuncLit); !ok {
					inspectOutsideFuncLits(arg, visit)
				}
			}
			inspectOutsideFuncLits(call.Fun, visit)
			return false
		}
		_, lit := x.(*ast.FuncLit)
		return !lit
	})
}
