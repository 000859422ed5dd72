using BackupCore.Plan;

namespace BackupCore.Catalog;

/// <summary>
/// Orders catalog objects for a single-pass restore, the way pg_dump_sort.c does: first by type
/// priority, namespace and name; then a topological sort that keeps that order wherever dependencies
/// allow. Like pg_dump's TopoSort it fills the output from the end, each time taking the latest object
/// that nothing still unplaced must follow, so dependencies are pulled forward next to their users.
/// Two boundary pseudo-objects keep sections monotone (pre-data, data, post-data). Section NONE objects
/// (comments) are not sorted: each goes right after the last object it depends on.
/// </summary>
internal static class DumpOrderSorter
{
    /// <summary>
    /// Returns the objects' indexes in dump order. <paramref name="dependencies"/> holds (dependent, referenced)
    /// pairs of indexes. Throws <see cref="DependencyCycleException"/> when the dependencies form a loop.
    /// </summary>
    public static IReadOnlyList<int> Sort(IReadOnlyList<CatalogObject> objects, IReadOnlyCollection<(int Dependent, int Referenced)> dependencies)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(dependencies);

        var n = objects.Count;
        var preBoundary = n;
        var postBoundary = n + 1;
        var total = n + 2;

        // Step 1: the name order (pg_dump_sort.c DOTypeNameCompare): priority, namespace, name, then input order.
        var presorted = Enumerable.Range(0, n)
            .Where(i => objects[i].Section != DumpSection.None)
            .Append(preBoundary)
            .Append(postBoundary)
            .OrderBy(i => PriorityOf(objects, i))
            .ThenBy(i => i >= n ? "" : objects[i].Namespace ?? "\uffff", StringComparer.Ordinal)
            .ThenBy(i => i >= n ? "" : NameOf(objects[i].SortTag ?? objects[i].Tag), StringComparer.Ordinal)
            .ThenBy(i => i >= n ? 0 : ArgumentCount(objects[i].SortTag ?? objects[i].Tag))
            .ThenBy(i => i >= n ? "" : objects[i].Tag, StringComparer.Ordinal)
            .ThenBy(i => i)
            .ToList();
        var position = new int[total];
        Array.Fill(position, -1);
        for (var p = 0; p < presorted.Count; p++)
        {
            position[presorted[p]] = p;
        }

        // Edges: dependsOn[x] = what x must follow.
        var dependsOn = new List<int>[total];
        for (var i = 0; i < total; i++)
        {
            dependsOn[i] = [];
        }

        foreach (var (dependent, referenced) in dependencies)
        {
            if (dependent != referenced && position[dependent] >= 0 && position[referenced] >= 0)
            {
                dependsOn[dependent].Add(referenced);
            }
        }

        for (var i = 0; i < n; i++)
        {
            switch (objects[i].Section)
            {
                case DumpSection.PreData:
                    dependsOn[preBoundary].Add(i);
                    break;
                case DumpSection.Data:
                    dependsOn[i].Add(preBoundary);
                    dependsOn[postBoundary].Add(i);
                    break;
                case DumpSection.PostData:
                    dependsOn[i].Add(postBoundary);
                    break;
            }
        }

        dependsOn[postBoundary].Add(preBoundary);

        // Step 2: Knuth's topological sort, output filled from the end (pg_dump_sort.c TopoSort).
        var followers = new int[total];
        foreach (var x in presorted)
        {
            foreach (var d in dependsOn[x])
            {
                followers[d]++;
            }
        }

        var ready = new PriorityQueue<int, int>(Comparer<int>.Create((a, b) => b.CompareTo(a)));
        foreach (var x in presorted)
        {
            if (followers[x] == 0)
            {
                ready.Enqueue(x, position[x]);
            }
        }

        var output = new int[presorted.Count];
        var slot = presorted.Count;
        while (ready.TryDequeue(out var x, out _))
        {
            output[--slot] = x;
            foreach (var d in dependsOn[x])
            {
                if (--followers[d] == 0)
                {
                    ready.Enqueue(d, position[d]);
                }
            }
        }

        if (slot > 0)
        {
            var stuck = presorted.Where(x => followers[x] > 0).ToHashSet();
            throw new DependencyCycleException(FindCycle(stuck, dependsOn).Where(x => x < n).ToList());
        }

        var ordered = output.Where(x => x < n).ToList();
        return PlaceUnsorted(objects, dependencies, ordered);
    }

    // pg_dump_sort.c compares functions by name, then number of arguments, then argument types; a function's
    // tag is "name(argtypes)", so split it the same way (other tags have no parenthesis).
    private static string NameOf(string tag)
    {
        var paren = tag.IndexOf('(', StringComparison.Ordinal);
        return paren < 0 ? tag : tag[..paren];
    }

    private static int ArgumentCount(string tag)
    {
        var paren = tag.IndexOf('(', StringComparison.Ordinal);
        if (paren < 0 || tag.EndsWith("()", StringComparison.Ordinal))
        {
            return 0;
        }

        var count = 1;
        var depth = 0;
        var quoted = false;
        foreach (var c in tag.AsSpan(paren + 1))
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '(' or '[')
            {
                depth++;
            }
            else if (!quoted && c is ')' or ']')
            {
                depth--;
            }
            else if (!quoted && depth == 0 && c == ',')
            {
                count++;
            }
        }

        return count;
    }

    private static int PriorityOf(IReadOnlyList<CatalogObject> objects, int i) =>
        i == objects.Count ? ObjectPriority.PreDataBoundary
        : i == objects.Count + 1 ? ObjectPriority.PostDataBoundary
        : objects[i].Priority;

    /// <summary>Inserts section NONE objects after the last object they depend on (pg_dump writes a comment right after its object), in the order the sources produced them.</summary>
    private static List<int> PlaceUnsorted(IReadOnlyList<CatalogObject> objects, IReadOnlyCollection<(int Dependent, int Referenced)> dependencies, List<int> ordered)
    {
        var unsorted = Enumerable.Range(0, objects.Count).Where(i => objects[i].Section == DumpSection.None).ToList();
        if (unsorted.Count == 0)
        {
            return ordered;
        }

        var at = new Dictionary<int, int>();
        for (var p = 0; p < ordered.Count; p++)
        {
            at[ordered[p]] = p;
        }

        var anchors = dependencies.ToLookup(e => e.Dependent, e => e.Referenced);
        var byAnchor = unsorted
            .Select(i => (Index: i, Anchor: anchors[i].Select(r => at.TryGetValue(r, out var p) ? p : -1).DefaultIfEmpty(-1).Max()))
            .OrderBy(x => x.Anchor)
            .ThenBy(x => x.Index)
            .ToLookup(x => x.Anchor, x => x.Index);

        var result = new List<int>(objects.Count);
        result.AddRange(byAnchor[-1]);
        for (var p = 0; p < ordered.Count; p++)
        {
            result.Add(ordered[p]);
            result.AddRange(byAnchor[p]);
        }

        return result;
    }

    /// <summary>One loop among the objects the sort could not place (depth-first search along dependencies).</summary>
    private static List<int> FindCycle(HashSet<int> stuck, List<int>[] dependsOn)
    {
        var state = new Dictionary<int, int>();
        var stack = new List<int>();
        foreach (var start in stuck)
        {
            if (!state.ContainsKey(start) && Visit(start))
            {
                return stack;
            }
        }

        return stuck.ToList();

        bool Visit(int x)
        {
            state[x] = 1;
            stack.Add(x);
            foreach (var d in dependsOn[x])
            {
                if (!stuck.Contains(d))
                {
                    continue;
                }

                if (state.TryGetValue(d, out var s) && s == 1)
                {
                    stack.RemoveRange(0, stack.IndexOf(d));
                    return true;
                }

                if (s == 0 && Visit(d))
                {
                    return true;
                }
            }

            state[x] = 2;
            stack.RemoveAt(stack.Count - 1);
            return false;
        }
    }
}
