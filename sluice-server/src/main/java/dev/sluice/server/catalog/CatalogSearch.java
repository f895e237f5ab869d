package dev.sluice.server.catalog;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.ByteBuffersDirectory;

/**
 * Catalog search with Lucene: one in-memory index of a project's assets (name, description, owner,
 * tier, tags, and each column's name, description and classification tags), searched with BM25
 * ranking. Every word of a query must match some field, a word also matching as the beginning of a
 * longer one ({@code cust} finds {@code customers}); a match in the name weighs most, then columns
 * and tags, then descriptions. Names are indexed split at underscores and dots as well, so that
 * {@code email} finds {@code customer_email}.
 */
public final class CatalogSearch {
  /**
   * One asset found.
   *
   * @param columns the asset's columns that match a word of the query
   * @param score Lucene's relevance score: higher is better
   */
  public record Hit(AssetCatalog.Entry entry, List<String> columns, float score) {
    public Hit {
      requireNonNull(entry, "entry is null");
      columns = List.copyOf(columns);
    }
  }

  /** The most words a query may have. */
  static final int MAX_WORDS = 16;

  private static final String ASSET = "asset";
  private static final String NAME = "name";
  private static final String COLUMNS = "columns";
  private static final String TAGS = "tags";
  private static final String TEXT = "text";

  private final AssetCatalog catalog;
  private final Analyzer analyzer = new StandardAnalyzer();
  private final ByteBuffersDirectory directory = new ByteBuffersDirectory();
  private final DirectoryReader reader;

  private CatalogSearch(AssetCatalog catalog) {
    this.catalog = catalog;
    try (IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig(analyzer))) {
      for (AssetCatalog.Entry entry : catalog.entries()) {
        writer.addDocument(document(entry));
      }
      writer.commit();
      this.reader = DirectoryReader.open(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot index the catalog in memory", e);
    }
  }

  /** The index of a catalog, built now. */
  public static CatalogSearch of(AssetCatalog catalog) {
    return new CatalogSearch(requireNonNull(catalog, "catalog is null"));
  }

  /**
   * The assets matching {@code text} that {@code visible} lets through, the best first.
   *
   * @throws InvalidInputException for a query without a word, or of more than {@value #MAX_WORDS}
   */
  public List<Hit> search(String text, Predicate<AssetCatalog.Entry> visible) {
    List<String> words = words(text == null ? "" : text);
    if (words.isEmpty()) {
      throw new InvalidInputException(
          "The search has no word to look for: give e.g. q=customers or q=email");
    }
    if (words.size() > MAX_WORDS) {
      throw new InvalidInputException(
          "The search has "
              + words.size()
              + " words, more than "
              + MAX_WORDS
              + ": shorten it to the words that matter");
    }
    BooleanQuery.Builder query = new BooleanQuery.Builder();
    for (String word : words) {
      BooleanQuery.Builder anyField = new BooleanQuery.Builder();
      addField(anyField, NAME, word, 4f);
      addField(anyField, COLUMNS, word, 2f);
      addField(anyField, TAGS, word, 2f);
      addField(anyField, TEXT, word, 1f);
      query.add(anyField.build(), BooleanClause.Occur.MUST);
    }
    try {
      IndexSearcher searcher = new IndexSearcher(reader);
      int all = Math.max(1, reader.numDocs());
      List<Hit> hits = new ArrayList<>();
      for (ScoreDoc found : searcher.search(query.build(), all).scoreDocs) {
        Document document = searcher.storedFields().document(found.doc);
        AssetCatalog.Entry entry = catalog.entry(document.get(ASSET)).orElseThrow();
        if (visible.test(entry)) {
          hits.add(new Hit(entry, matchingColumns(entry, words), found.score));
        }
      }
      return hits;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot search the catalog's in-memory index", e);
    }
  }

  private static void addField(BooleanQuery.Builder query, String field, String word, float boost) {
    Query exact = new BoostQuery(new TermQuery(new Term(field, word)), boost);
    Query prefix = new BoostQuery(new PrefixQuery(new Term(field, word)), boost / 2);
    query.add(exact, BooleanClause.Occur.SHOULD);
    query.add(prefix, BooleanClause.Occur.SHOULD);
  }

  private List<String> matchingColumns(AssetCatalog.Entry entry, List<String> words) {
    List<String> columns = new ArrayList<>();
    for (AssetCatalog.Column column : entry.columns()) {
      List<String> columnWords = new ArrayList<>(words(split(column.name())));
      columnWords.addAll(words(String.join(" ", column.tags()).replace('.', ' ')));
      if (words.stream()
          .anyMatch(word -> columnWords.stream().anyMatch(each -> each.startsWith(word)))) {
        columns.add(column.name());
      }
    }
    return columns;
  }

  private Document document(AssetCatalog.Entry entry) {
    Document document = new Document();
    document.add(new StringField(ASSET, entry.name(), Field.Store.YES));
    document.add(new StoredField("kind", entry.kind()));
    document.add(
        new TextField(
            NAME,
            entry.name()
                + " "
                + split(entry.name())
                + " "
                + split(entry.asset().tableName().toString()),
            Field.Store.NO));
    StringBuilder columns = new StringBuilder();
    StringBuilder tags = new StringBuilder(String.join(" ", entry.tags()));
    StringBuilder text = new StringBuilder();
    append(text, entry.description());
    append(text, entry.owner());
    append(text, entry.tier());
    for (AssetCatalog.Column column : entry.columns()) {
      append(columns, column.name() + " " + split(column.name()));
      append(text, column.description());
      for (String tag : column.tags()) {
        append(tags, tag + " " + split(tag));
      }
    }
    for (String tag : entry.tags()) {
      append(tags, split(tag));
    }
    document.add(new TextField(COLUMNS, columns.toString(), Field.Store.NO));
    document.add(new TextField(TAGS, tags.toString(), Field.Store.NO));
    document.add(new TextField(TEXT, text.toString(), Field.Store.NO));
    return document;
  }

  private static void append(StringBuilder text, String value) {
    if (value != null && !value.isBlank()) {
      text.append(' ').append(value);
    }
  }

  private static String split(String name) {
    return name.replace('_', ' ').replace('.', ' ').replace('-', ' ');
  }

  /** The words of a text as the index holds them (the standard analyzer's tokens). */
  private List<String> words(String text) {
    Set<String> words = new LinkedHashSet<>();
    try (TokenStream tokens = analyzer.tokenStream(TEXT, text.toLowerCase(Locale.ROOT))) {
      CharTermAttribute term = tokens.addAttribute(CharTermAttribute.class);
      tokens.reset();
      while (tokens.incrementToken()) {
        words.add(term.toString());
      }
      tokens.end();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the words of a search", e);
    }
    return List.copyOf(words);
  }
}
