// Checks the import structure of src/ against the layers docs/DESIGN.md describes ("Layers"):
// a folder imports only folders of a lower layer; across folders, only a folder's own files or a
// sub-folder's index.ts (never another folder's internals); and no file imports itself through others.
// Run by `npm run lint` (an argument checks another tree); prints each problem and exits 1.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Each top-level folder of src/ and its layer: a folder may import only folders of a lower layer. */
export const LAYERS = {
  gen: 0,
  errors: 0,
  text: 0,
  cursor: 1,
  events: 1,
  observability: 1,
  time: 1,
  activity: 2,
  grpc: 2,
  auditlog: 3,
  mau: 3,
  server: 4,
  client: 4,
  store: 4,
  reporter: 4,
  generate: 4,
  tenants: 5,
  cli: 6,
};

/** Files directly in src/ (the package's entry points) sit above every folder. */
const ROOT_LAYER = 7;

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^"']*?from\s*["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)|^import\s*["'](\.{1,2}\/[^"']+)["']/gm;

/** The relative imports of one source file, resolved to paths under `root`, with their line numbers. */
function importsOf(root, file) {
  const text = readFileSync(join(root, file), "utf8");
  const found = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    const target = relative(root, resolve(dirname(join(root, file)), spec))
      .split(sep)
      .join("/");
    const line = text.slice(0, m.index).split("\n").length;
    found.push({ target: target.replace(/\.js$/, ".ts"), line });
  }
  return found;
}

function sourceFiles(root, dir = "src") {
  const files = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) {
      if (path !== "src/gen") files.push(...sourceFiles(root, path));
    } else if (name.endsWith(".ts")) {
      files.push(path);
    }
  }
  return files;
}

/** "src/<folder>" of a path under src/, or undefined for a file directly in src/. */
function folderOf(path) {
  const parts = path.split("/");
  return parts.length > 2 ? parts[1] : undefined;
}

/** Whether `target` is part of its folder's surface: a file of the folder itself or a sub-folder's index. */
function isSurface(target) {
  const parts = target.split("/");
  return parts.length === 3 || (parts.length === 4 && parts[3] === "index.ts") || parts[1] === "gen";
}

/** Every problem in the import structure under `root`, as "file:line: what" lines. */
export function checkLayers(root) {
  const problems = [];
  const files = sourceFiles(root);
  const graph = new Map();
  for (const file of files) {
    const from = folderOf(file);
    const fromLayer = from === undefined ? ROOT_LAYER : LAYERS[from];
    if (fromLayer === undefined) problems.push(`${file}: folder src/${from} has no layer in LAYERS`);
    const edges = [];
    for (const { target, line } of importsOf(root, file)) {
      if (!target.startsWith("src/")) continue;
      edges.push(target);
      const to = folderOf(target);
      if (to === from) continue;
      const toLayer = to === undefined ? ROOT_LAYER : LAYERS[to];
      if (fromLayer !== undefined && toLayer !== undefined && toLayer >= fromLayer) {
        problems.push(
          `${file}:${line}: src/${from ?? ""} (layer ${fromLayer}) imports ${target} (layer ${toLayer}): only lower layers`,
        );
      } else if (!isSurface(target)) {
        problems.push(`${file}:${line}: imports ${target}, inside another folder: use its files or index.ts`);
      }
    }
    graph.set(file, edges);
  }
  for (const cycle of cycles(graph)) problems.push(`import cycle: ${cycle.join(" → ")}`);
  return problems;
}

/** The import cycles of a file graph: one per strongly connected component of more than one file. */
function cycles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  let next = 0;
  const visit = (file) => {
    index.set(file, next);
    low.set(file, next);
    next++;
    stack.push(file);
    onStack.add(file);
    for (const dep of graph.get(file) ?? []) {
      if (!graph.has(dep)) continue;
      if (!index.has(dep)) {
        visit(dep);
        low.set(file, Math.min(low.get(file), low.get(dep)));
      } else if (onStack.has(dep)) {
        low.set(file, Math.min(low.get(file), index.get(dep)));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    const selfImport = (graph.get(file) ?? []).includes(file);
    if (component.length > 1 || selfImport) found.push(component.reverse());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const problems = checkLayers(resolve(root));
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`${problems.length} import structure problem(s); see docs/DESIGN.md, "Layers"`);
    process.exit(1);
  }
  console.log("import structure: layers, folder surfaces and cycles are as docs/DESIGN.md says");
}
