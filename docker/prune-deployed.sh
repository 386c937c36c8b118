#!/bin/sh
# Trims production trees made by `pnpm deploy --prod` (docker/Dockerfile, build stage) down to what
# runs. Usage: sh docker/prune-deployed.sh /out/api /out/worker
#
# Removed, in each tree:
#   - build leftovers of the app and of every workspace package copied in: src/ (with the *.test.ts
#     files), scripts/, .turbo/, tsconfig*.json, *.tsbuildinfo, prisma.config.ts;
#   - TypeScript declarations (*.d.ts, *.d.mts, *.d.cts and their maps): nothing reads them at run time;
#   - source maps of third-party packages (the app's own stay, for --enable-source-maps) and their
#     Markdown (README, CHANGELOG, docs; licence files stay);
#   - the CloudEvents SDK's browser build (cloudevents/bundles/, a webpack bundle with its own
#     polyfills; Node loads dist/, its "main"). Its browser-only dependencies never get this far:
#     pnpm-workspace.yaml's overrides leave them out of the lockfile;
#   - the Prisma query compilers for other databases and builds: @prisma/client ships one per
#     provider (PostgreSQL, MySQL, SQLite, SQL Server, CockroachDB), each twice ("fast" and "small")
#     and in two module formats, about 62 of its 71 MB. Kept: exactly the files that the generated
#     client in @hookyard/db imports; the build fails if one of them is missing.
set -eu

for tree in "$@"; do
  cd "$tree"
  before=$(du -sk . | cut -f1)

  for pkg in . node_modules/.pnpm/@hookyard+*/node_modules/@hookyard/*; do
    [ -f "$pkg/package.json" ] || { echo "prune: $tree/$pkg is not a package" >&2; exit 1; }
    rm -rf "$pkg/src" "$pkg/scripts" "$pkg/.turbo" "$pkg"/tsconfig*.json "$pkg"/*.tsbuildinfo "$pkg/prisma.config.ts"
  done

  find . -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.d.ts.map' -o -name '*.d.mts.map' -o -name '*.d.cts.map' \) -delete
  find node_modules/.pnpm -type f \( -name '*.map' -o -iname '*.md' -o -iname '*.markdown' \) \
    -not -path 'node_modules/.pnpm/@hookyard+*' -delete
  rm -rf node_modules/.pnpm/cloudevents@*/node_modules/cloudevents/bundles

  db_dist=$(echo node_modules/.pnpm/@hookyard+db*/node_modules/@hookyard/db/dist)
  runtime=$(echo node_modules/.pnpm/@prisma+client@*/node_modules/@prisma/client/runtime)
  [ -d "$db_dist" ] && [ -d "$runtime" ] || { echo "prune: no @hookyard/db or @prisma/client in $tree" >&2; exit 1; }
  used=$(grep -rhoE '@prisma/client/runtime/query_compiler_[A-Za-z0-9_.-]+' "$db_dist" --include='*.js' |
    sed 's|@prisma/client/runtime/||' | sort -u)
  [ -n "$used" ] || { echo "prune: the generated client imports no query compiler" >&2; exit 1; }
  for name in $used; do
    [ -f "$runtime/$name" ] || { echo "prune: $runtime/$name (imported by the generated client) is missing" >&2; exit 1; }
  done
  for file in "$runtime"/query_compiler_*; do
    name=${file##*/}
    case " $(echo $used) " in *" $name "*) ;; *) rm -f "$file" ;; esac
  done

  after=$(du -sk . | cut -f1)
  echo "prune: $tree $((before / 1024)) MB -> $((after / 1024)) MB (query compilers kept: $(echo $used))"
done
