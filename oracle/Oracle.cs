// The binder oracle: what ONLYOFFICE's API binds from a request, computed by the real runtime.
//
// Written for this project from a reading of the server's ApiArgumentBuilder.cs, Utils/Binder.cs
// and Utils/ConvertUtils.cs (CommunityServer v12.7.1); no line of them is copied. What it does
// not write itself it leaves to the runtime the server runs on: Newtonsoft.Json turns the JSON
// body into XML (JsonConvert.DeserializeXNode), System.Xml.Linq groups it, a real
// NameValueCollection holds the pairs, real Regex and int.TryParse split list keys, and .NET's
// TypeDescriptor converters (Int32Converter, BooleanConverter, EnumConverter...) convert text.
//
// Protocol, one JSON document a line:
//   stdin, first line:  {"params": [{"name": "id", "list": false, "type": {...}}, ...]}
//     a type: {"kind": "string"|"integer"|"boolean"|"enum"|"object", "bits": 32|64,
//              "name": "FileShare", "members": {"None": 0, ...}, "fields": [{"name", "type"}]}
//   stdin, then:        {"body": "<base64>", "contentType": "...", "query": "<base64>"}
//   stdout, per request: {"bound": {"id": 5, "to": ["a"], "attachments": [{"fileId": 1}], ...}}
//                     or {"refused": {"status": 400, "exception": "FormatException", "message": "..."}}
// The parameter list comes from the Python contract core (openapi.yaml), so it is written once.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.ComponentModel;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Mime;
using System.Reflection;
using System.Reflection.Emit;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Xml.Linq;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace BinderOracle
{
    // The server's own conversion failure is a FormatException subclass; its handler answers 400.
    class ArgumentMismatch : FormatException
    {
        public ArgumentMismatch(string message, Exception inner) : base(message, inner) { }
    }

    // A declared type: a .NET type for what converts from text, or an object with members.
    class Decl
    {
        public string Name;
        public Type Clr;            // null for an object
        public bool IsList;
        public Decl Item;           // a list's item
        public List<Decl> Fields = new List<Decl>(); // an object's members, in declaration order
        public string Namespace = "System";
    }

    // A bound object (an attachment): only the members the binder set.
    class Bound : Dictionary<string, object> { }

    static class Program
    {
        const string Simple = "simple";
        static readonly ModuleBuilder Module = AppDomain.CurrentDomain
            .DefineDynamicAssembly(new AssemblyName("OracleTypes"), AssemblyBuilderAccess.Run)
            .DefineDynamicModule("OracleTypes");

        static Decl ReadType(string name, JObject t)
        {
            var d = new Decl { Name = name };
            var kind = (string)t["kind"];
            var bits = t["bits"] == null ? 32 : (int)t["bits"];
            switch (kind)
            {
                case "string": d.Clr = typeof(string); break;
                case "boolean": d.Clr = typeof(bool); break;
                case "integer": d.Clr = bits == 64 ? typeof(long) : typeof(int); break;
                case "enum":
                    // A real enum type, so that EnumConverter and Enum.Parse do the work.
                    var ns = "ASC.Files.Core.Security";
                    var eb = Module.DefineEnum(ns + "." + (string)t["name"], TypeAttributes.Public,
                                               bits == 64 ? typeof(long) : typeof(int));
                    foreach (var m in (JObject)t["members"])
                    {
                        if (bits == 64) eb.DefineLiteral(m.Key, (long)m.Value);
                        else eb.DefineLiteral(m.Key, (int)m.Value);
                    }
                    d.Clr = eb.CreateType();
                    d.Namespace = ns;
                    break;
                case "object":
                    d.Namespace = "ASC.Mail.Data.Contracts";
                    foreach (JObject f in (JArray)t["fields"])
                        d.Fields.Add(ReadType((string)f["name"], (JObject)f["type"]));
                    break;
                default: throw new ArgumentException("unknown kind " + kind);
            }
            return d;
        }

        static Decl ReadParam(JObject p)
        {
            var name = (string)p["name"];
            var item = ReadType(name, (JObject)p["type"]);
            if (!(bool)p["list"]) return item;
            return new Decl { Name = name, IsList = true, Item = item, Namespace = "System.Collections.Generic" };
        }

        // -- what Binder.cs calls simple: a primitive, or a type whose converter reads a string ----
        static bool IsSimple(Decl d)
        {
            if (d.IsList || d.Clr == null) return false;
            return d.Clr.IsPrimitive || TypeDescriptor.GetConverter(d.Clr).CanConvertFrom(typeof(string));
        }

        static object Convert(string text, Type type)
        {
            try
            {
                return TypeDescriptor.GetConverter(type).ConvertFromString(null, CultureInfo.InvariantCulture, text);
            }
            catch (Exception e)
            {
                throw new ArgumentMismatch("cannot convert to " + type.Name, e);
            }
        }

        static string CamelCase(string s)
        {
            if (string.IsNullOrEmpty(s) || !char.IsUpper(s[0])) return s;
            return char.ToLower(s[0], CultureInfo.InvariantCulture) + s.Substring(1);
        }

        static string[] Transforms(string name)
        {
            return new[] { name, CamelCase(name), name.ToLower(), name.ToLowerInvariant() };
        }

        // GetValue: without a prefix, the first name whose value is not empty; with one, the value
        // of the single key under the prefix that names the member (two such keys throw).
        static string GetValue(string[] names, NameValueCollection values, string prefix)
        {
            if (string.IsNullOrEmpty(prefix))
                return names.Select(n => values[n]).FirstOrDefault(v => !string.IsNullOrEmpty(v));
            var keys = values.AllKeys.Where(k => k != null && k.StartsWith(prefix))
                .Where(k => names.Contains(k.Substring(prefix.Length).Trim('[', '.', ']')));
            return values[keys.SingleOrDefault() ?? string.Empty];
        }

        static object Bind(Decl d, NameValueCollection values, string prefix)
        {
            if (IsSimple(d))
            {
                var value = GetValue(Transforms(prefix), values, string.Empty);
                if (value != null) return Convert(value, d.Clr);
            }
            if (d.IsList)
            {
                var list = new List<object>();
                BindCollection(d, prefix, list, values);
                return list;
            }
            return BindObject(d, values, prefix);
        }

        // An object is a new instance whose members are set from the keys under the prefix; a value
        // type (an int, an enum) has no public members, so it binds to nothing.
        static object BindObject(Decl d, NameValueCollection values, string prefix)
        {
            if (d.Clr != null) return null;
            var bound = new Bound();
            foreach (var f in d.Fields)
            {
                if (!IsSimple(f)) continue; // no member of the contract's objects is an object itself
                var value = GetValue(Transforms(f.Name), values, prefix);
                if (value != null) bound[f.Name] = Convert(value, f.Clr);
            }
            return bound.Count > 0 ? bound : null;
        }

        static void BindCollection(Decl d, string prefix, List<object> list, NameValueCollection values)
        {
            var parse = new Regex("(?'prefix'^" + Regex.Escape(prefix) +
                @"(?'arrleft'\[){0,1}(?'pos'[\d]+){0,1}(?'arrright'\]){0,1})(?'suffix'.+){0,1}",
                RegexOptions.Singleline | RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
            // every key falls in one group: its position, "" for `name[]`, or "simple"
            var groups = new List<string>();
            foreach (var key in values.AllKeys.Where(k => k != null))
            {
                var m = parse.Match(key);
                var g = m.Groups["pos"].Value;
                if (string.IsNullOrEmpty(g)) g = m.Groups["arrleft"].Success ? string.Empty : Simple;
                if (!groups.Contains(g)) groups.Add(g);
            }
            foreach (var g in groups)
            {
                int index;
                var indexed = int.TryParse(g, out index);
                var at = Simple.Equals(g) ? prefix
                    : prefix + "[" + (indexed ? index.ToString(CultureInfo.InvariantCulture) : "") + "]";
                if (IsSimple(d.Item))
                {
                    var items = values.GetValues(at);
                    if (items == null) continue;
                    foreach (var item in items) list.Add(Convert(item, d.Item.Clr));
                }
                else
                {
                    var made = Bind(d.Item, values, at);
                    if (made != null) list.Insert(index, made);
                }
            }
        }

        static bool IsBindable(Decl d)
        {
            return d.IsList || !d.Namespace.StartsWith("System", StringComparison.Ordinal);
        }

        // BuildCallingArguments, for the parameters declared: the value each one gets.
        static List<object> BindAll(List<Decl> ps, NameValueCollection values)
        {
            var args = new List<object>();
            foreach (var p in ps)
            {
                if (values[p.Name] != null)
                {
                    var found = values.GetValues(p.Name);
                    if (found == null || found.Length == 0) { args.Add(Missing.Value); continue; }
                    if (p.IsList) { args.Add(Bind(p, values, p.Name)); continue; }
                    try { args.Add(Convert(found[0], p.Clr)); }
                    catch (ArgumentMismatch) { args.Add(Bind(p, values, p.Name)); }
                    continue;
                }
                // The server next looks at Request[name] (query, form, cookies, server variables):
                // the query and form are already in the collection, and no cookie is sent here.
                if (IsBindable(p))
                {
                    var made = Bind(p, values, p.Name);
                    if (made != null) { args.Add(made); continue; }
                }
                args.Add(null);
            }
            // MethodBase.Invoke passes a value type's default for a null argument.
            for (var i = 0; i < ps.Count; i++)
                if (args[i] == null && ps[i].Clr != null && ps[i].Clr.IsValueType) args[i] = Activator.CreateInstance(ps[i].Clr);
            return args;
        }

        // -- reading the request into the collection ----------------------------------------------

        static void FromXml(IEnumerable<XElement> elements, string prefix, NameValueCollection into)
        {
            foreach (var group in elements.GroupBy(e => e.Name))
            {
                var all = group.ToList();
                if (all.Count == 1)
                {
                    if (all[0].HasElements) FromXml(all[0].Elements(), prefix + "." + all[0].Name.LocalName, into);
                    else AddLeaf(prefix, into, all[0]);
                }
                else if (all.All(e => !e.HasElements))
                {
                    foreach (var e in all) AddLeaf(prefix, into, e);
                }
                else
                {
                    for (var i = 0; i < all.Count; i++)
                        FromXml(all[i].Elements(), prefix + "." + group.Key + "[" + i + "]", into);
                }
            }
        }

        // A leaf's key: its name at the top; under a prefix `.a.b[1].c`, `a[b][1][c][name]`.
        static void AddLeaf(string prefix, NameValueCollection into, XElement e)
        {
            if (string.IsNullOrEmpty(prefix)) { into.Add(e.Name.LocalName, e.Value); return; }
            var parts = prefix.TrimStart('.').Split('.');
            var key = new StringBuilder(parts[0]);
            foreach (var part in parts.Skip(1))
            {
                var bracket = part.IndexOf('[');
                if (bracket < 0) key.Append('[').Append(part).Append(']');
                else key.Append('[').Append(part, 0, bracket).Append(']').Append(part.Substring(bracket));
            }
            into.Add(key.Append('[').Append(e.Name.LocalName).Append(']').ToString(), e.Value);
        }

        // URL-encoded pairs; `+` is a space, a part without `=` is filed under no key.
        static void FromPairs(byte[] raw, Encoding encoding, NameValueCollection into)
        {
            var start = 0;
            while (start <= raw.Length)
            {
                var end = Array.IndexOf(raw, (byte)'&', start);
                if (end < 0) end = raw.Length;
                var eq = Array.IndexOf(raw, (byte)'=', start, end - start);
                if (eq >= 0)
                    into.Add(Decode(raw, start, eq - start, encoding), Decode(raw, eq + 1, end - eq - 1, encoding));
                start = end + 1;
            }
        }

        static string Decode(byte[] raw, int offset, int count, Encoding encoding)
        {
            var bytes = WebUtility.UrlDecodeToBytes(raw, offset, count) ?? new byte[0];
            return encoding.GetString(bytes);
        }

        static Encoding FormEncoding(string charset)
        {
            if (string.IsNullOrEmpty(charset)) return new UTF8Encoding(false);
            try { return Encoding.GetEncoding(charset); }
            catch (Exception) { return new UTF8Encoding(false); }
        }

        static NameValueCollection Read(byte[] body, string contentType, byte[] query)
        {
            var values = new NameValueCollection();
            FromPairs(query, new UTF8Encoding(false), values);
            var type = string.IsNullOrEmpty(contentType) ? new ContentType("text/plain") : new ContentType(contentType);
            switch (type.MediaType)
            {
                case "text/xml":
                    throw new NotSupportedException("an XML body is not read by this oracle");
                case "application/json":
                    string text;
                    using (var reader = new StreamReader(new MemoryStream(body))) text = reader.ReadToEnd();
                    XDocument doc;
                    try { doc = JsonConvert.DeserializeXNode(text, "request", false); }
                    catch (Exception e)
                    {
                        throw new TargetInvocationException(new ArgumentException("Unable to deserialize json", e));
                    }
                    if (doc != null && doc.Root != null) FromXml(doc.Root.Elements(), string.Empty, values);
                    break;
                default:
                    // ASP.NET's Form holds the pairs of a urlencoded body only (multipart is not sent here).
                    if (string.Equals(type.MediaType, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
                        FromPairs(body, FormEncoding(type.CharSet), values);
                    break;
            }
            return values;
        }

        // -- the answer -------------------------------------------------------------------------------

        static JToken Shown(object value)
        {
            if (value == null) return JValue.CreateNull();
            if (value is Bound)
            {
                var o = new JObject();
                foreach (var kv in (Bound)value) o[kv.Key] = Shown(kv.Value);
                return o;
            }
            if (value is List<object>) return new JArray(((List<object>)value).Select(Shown));
            if (value is Enum) return new JValue(System.Convert.ToInt64(value));
            if (value is string) return new JValue((string)value);
            if (value is bool) return new JValue((bool)value);
            if (value is int || value is long) return new JValue(System.Convert.ToInt64(value));
            if (value == Missing.Value) return new JValue("<no argument>");
            return new JValue(value.ToString());
        }

        // ApiHttpHandler's answer to what BuildCallingArguments throws (it is outside the call's try).
        static int Status(Exception e)
        {
            if (e is TargetInvocationException)
            {
                var inner = e.InnerException;
                if (inner is ArgumentException) return 400;
                if (inner is SecurityException || inner is InvalidOperationException) return 403;
                return 500;
            }
            if (e is ArgumentMismatch) return 400;
            return 500;
        }

        static JObject Answer(List<Decl> ps, JObject request)
        {
            var body = System.Convert.FromBase64String((string)request["body"] ?? "");
            var query = System.Convert.FromBase64String((string)request["query"] ?? "");
            try
            {
                var values = Read(body, (string)request["contentType"], query);
                var args = BindAll(ps, values);
                var bound = new JObject();
                for (var i = 0; i < ps.Count; i++) bound[ps[i].Name] = Shown(args[i]);
                return new JObject { { "bound", bound } };
            }
            catch (Exception e)
            {
                var inner = e is TargetInvocationException && e.InnerException != null ? e.InnerException : e;
                return new JObject { { "refused", new JObject {
                    { "status", Status(e) },
                    { "exception", e.GetType().Name == "ArgumentMismatch" ? "ApiArgumentMismatchException" : inner.GetType().Name },
                    { "message", inner.InnerException == null ? inner.Message : inner.Message + ": " + inner.InnerException.Message } } } };
            }
        }

        static int Main()
        {
            // The server converts with the invariant culture; its string comparisons are the thread's.
            Thread.CurrentThread.CurrentCulture = CultureInfo.InvariantCulture;
            var input = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
            var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false };
            var header = input.ReadLine();
            if (header == null) return 2;
            var ps = ((JArray)JObject.Parse(header)["params"]).Select(p => ReadParam((JObject)p)).ToList();
            output.WriteLine("{\"ready\": true}");
            output.Flush();
            string line;
            while ((line = input.ReadLine()) != null)
            {
                if (line.Length == 0) continue;
                var answer = Answer(ps, JObject.Parse(line));
                output.WriteLine(answer.ToString(Formatting.None));
                output.Flush();
            }
            return 0;
        }
    }
}
