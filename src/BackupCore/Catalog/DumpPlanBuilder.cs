using System.Globalization;
using BackupCore.Plan;

namespace BackupCore.Catalog;

/// <summary>
/// Turns the objects the sources read plus pg_depend into the numbered, ordered TOC: resolves every
/// dependency to a dumped object, drops extensions nobody needs, breaks the loops pg_dump knows how to
/// break (by detaching a default or a constraint into its own entry), sorts, numbers from 1.
/// </summary>
internal static class DumpPlanBuilder
{
    private const int MaxRepairs = 1000;

    public static IReadOnlyList<DumpEntry> Build(IReadOnlyList<CatalogObject> specials, IReadOnlyList<CatalogObject> sourceObjects, CatalogDependencies dependencies)
    {
        ArgumentNullException.ThrowIfNull(specials);
        ArgumentNullException.ThrowIfNull(sourceObjects);
        ArgumentNullException.ThrowIfNull(dependencies);

        var objects = sourceObjects.ToList();
        for (var attempt = 0; ; attempt++)
        {
            var graph = Resolve(objects, dependencies);
            if (graph.Dropped.Count > 0)
            {
                objects = objects.Where((_, i) => !graph.Dropped.Contains(i)).ToList();
                continue;
            }

            try
            {
                var order = DumpOrderSorter.Sort(objects, graph.Edges.Keys);
                return Number(specials, objects, order, graph.Edges.Keys);
            }
            catch (DependencyCycleException cycle) when (attempt < MaxRepairs)
            {
                if (!TryRepair(objects, graph, cycle.Members))
                {
                    throw new BackupException(
                        "cannot order the dump: dependency loop among " + string.Join(" -> ", cycle.Members.Append(cycle.Members[0]).Select(i => Describe(objects[i]))),
                        "this combination of objects is not supported yet; please report it with the object definitions");
                }
            }
        }
    }

    private static string Describe(CatalogObject o) =>
        o.Desc.ToLowerInvariant() + " " + (o.Namespace is null ? "" : "\"" + o.Namespace + "\".") + "\"" + o.Tag + "\"";

    private sealed record Graph(Dictionary<(int Dependent, int Referenced), HashSet<CatalogObjectId>> Edges, HashSet<int> Dropped);

    private static Graph Resolve(List<CatalogObject> objects, CatalogDependencies dependencies)
    {
        var index = new Dictionary<CatalogObjectId, int>();
        for (var i = 0; i < objects.Count; i++)
        {
            if (objects[i].Id is { } id)
            {
                index.TryAdd(id, i);
            }

            if (objects[i].AliasId is { } alias)
            {
                index.TryAdd(alias, i);
            }
        }

        bool IsDumped(CatalogObjectId id) => index.ContainsKey(id);

        // Edge → the raw dependent sub-objects it came from, so a loop can be broken by detaching them.
        var edges = new Dictionary<(int, int), HashSet<CatalogObjectId>>();
        void Add(int dependent, int referenced, CatalogObjectId via)
        {
            if (dependent == referenced)
            {
                return;
            }

            if (!edges.TryGetValue((dependent, referenced), out var set))
            {
                edges[(dependent, referenced)] = set = [];
            }

            set.Add(via);
        }

        foreach (var (dependent, referenced, _) in dependencies.Edges)
        {
            if (dependencies.Resolve(dependent, IsDumped) is { } a && dependencies.Resolve(referenced, IsDumped) is { } b)
            {
                Add(index[a], index[b], dependent);
            }
        }

        for (var i = 0; i < objects.Count; i++)
        {
            foreach (var reference in objects[i].DependsOn)
            {
                if (dependencies.Resolve(reference, IsDumped) is { } b)
                {
                    Add(i, index[b], objects[i].Id ?? default);
                }
            }
        }

        // Extensions dumped only because something uses them: keep those something (outside this set) refers to.
        var needed = new HashSet<int>();
        var queue = new Queue<int>(Enumerable.Range(0, objects.Count).Where(i => !objects[i].OnlyIfReferenced));
        var uses = edges.Keys.ToLookup(e => e.Item1, e => e.Item2);
        var seen = new HashSet<int>(queue);
        while (queue.TryDequeue(out var x))
        {
            foreach (var r in uses[x])
            {
                if (seen.Add(r))
                {
                    needed.Add(r);
                    queue.Enqueue(r);
                }
            }
        }

        var dropped = Enumerable.Range(0, objects.Count).Where(i => objects[i].OnlyIfReferenced && !needed.Contains(i)).ToHashSet();
        return new Graph(edges, dropped);
    }

    /// <summary>
    /// Repairs the loop the way pg_dump_sort.c's repairDependencyLoop does, in its order: first a loop through the
    /// pre-data boundary (a pre-data object that needs a post-data or data one) by postponing that object, then a
    /// loop through a table's (or domain's) own definition by detaching the parts behind one edge. False when no
    /// object on the loop can give anything up.
    /// </summary>
    private static bool TryRepair(List<CatalogObject> objects, Graph graph, IReadOnlyList<int> cycle)
    {
        for (var k = 0; k < cycle.Count; k++)
        {
            var from = objects[cycle[k]];
            var to = objects[cycle[(k + 1) % cycle.Count]];
            if (from.Section == DumpSection.PreData && to.Section is DumpSection.Data or DumpSection.PostData && from.PostponedForm is { } postpone)
            {
                var replacement = postpone();
                objects[cycle[k]] = replacement[0];
                objects.AddRange(replacement.Skip(1));
                return true;
            }
        }

        for (var k = 0; k < cycle.Count; k++)
        {
            var from = cycle[k];
            var to = cycle[(k + 1) % cycle.Count];
            var owner = objects[from];
            if (owner.DetachableParts.Count == 0 || owner.Without is null || !graph.Edges.TryGetValue((from, to), out var via))
            {
                continue;
            }

            var parts = owner.DetachableParts.Where(p => via.Contains(p.SubObject)).ToList();
            if (parts.Count == 0 || via.Any(v => v != owner.Id && parts.All(p => p.SubObject != v)))
            {
                continue;
            }

            var detached = parts.Select(p => p.SubObject).ToHashSet();
            objects[from] = owner.Without(detached);
            objects.AddRange(parts.Select(p => p.Entry));
            return true;
        }

        return false;
    }

    private static List<DumpEntry> Number(IReadOnlyList<CatalogObject> specials, List<CatalogObject> objects, IReadOnlyList<int> order, IEnumerable<(int Dependent, int Referenced)> edges)
    {
        var dumpId = new int[objects.Count];
        var next = specials.Count + 1;
        foreach (var i in order)
        {
            dumpId[i] = next++;
        }

        var deps = edges.ToLookup(e => e.Dependent, e => dumpId[e.Referenced]);
        var entries = new List<DumpEntry>(specials.Count + objects.Count);
        entries.AddRange(specials.Select((s, i) => ToEntry(s, i + 1, [])));
        foreach (var i in order)
        {
            entries.Add(ToEntry(objects[i], dumpId[i], deps[i].Distinct().Order().ToList()));
        }

        return entries;
    }

    private static DumpEntry ToEntry(CatalogObject o, int dumpId, IReadOnlyList<int> dependencies) => new()
    {
        DumpId = dumpId,
        Desc = o.Desc,
        Tag = o.Tag,
        Section = o.Section,
        Namespace = o.Namespace,
        Definition = o.Definition,
        DropStatement = o.DropStatement,
        CopyStatement = o.CopyStatement,
        TableOid = (o.Data is null ? o.CatalogOid : 0).ToString(CultureInfo.InvariantCulture),
        Oid = (o.Data?.RelationOid ?? o.ObjectOid).ToString(CultureInfo.InvariantCulture),
        Tablespace = o.Tablespace,
        TableAccessMethod = o.TableAccessMethod,
        Owner = o.Owner,
        Dependencies = dependencies,
        Data = o.Data,
        LargeObjects = o.LargeObjects,
    };
}
