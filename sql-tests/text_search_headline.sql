-- ts_headline with the default options and a few others
SELECT ts_headline('english', 'The quick brown fox jumps over the lazy dog', to_tsquery('english', 'fox'));
SELECT ts_headline('english', 'The most common type of search is to find all documents containing given query terms and return them in order of their similarity to the query.', to_tsquery('english', 'query & similarity'));
SELECT ts_headline('english', 'A fat cat sat on a mat and ate a fat rat. Then the cat slept. The rat did not sleep; the rat ran away from the fat cat in the house next to the river near the old mill where nobody lives anymore since the war ended many years ago.', to_tsquery('english', 'river | mill'));
SELECT ts_headline('english', 'A fat cat sat on a mat and ate a fat rat. Then the cat slept. The rat did not sleep; the rat ran away from the fat cat in the house next to the river near the old mill where nobody lives anymore since the war ended many years ago.', to_tsquery('english', 'rat <2> cat'));
SELECT ts_headline('english', 'Contact me at foo@example.com or visit https://example.com/path/to?x=1 for the quick-witted answers, version 1.2.3.', to_tsquery('english', 'quick:* | exampl'));
SELECT ts_headline('english', '<p>Some <b>html</b> text &amp; entities about cats and dogs-and-mice</p>', to_tsquery('english', 'cat & mous'));
SELECT ts_headline('english', 'nothing matches here at all', to_tsquery('english', 'zebra'));
SELECT ts_headline('english', '', to_tsquery('english', 'zebra'));
SET default_text_search_config = 'english';
SELECT ts_headline('The quick brown fox jumps over the lazy dog', to_tsquery('quick <-> brown'), 'StartSel=<em>, StopSel=</em>');
SELECT ts_headline('one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen cat nineteen twenty twentyone twentytwo twentythree twentyfour twentyfive twentysix', to_tsquery('cat'), 'MaxWords=10, MinWords=5');
SELECT ts_headline('search terms search terms search terms filler words go here now filler words go here now filler words go here now final search word', to_tsquery('search & word'), 'MaxFragments=2, MaxWords=6, MinWords=2');
SELECT ts_headline('The quick brown fox', to_tsquery('fox'), 'HighlightAll=true');
RESET default_text_search_config;
SELECT ts_headline('english', 'x', to_tsquery('english', 'x'), 'MinWords=40');
SELECT ts_headline('english', 'x', to_tsquery('english', 'x'), 'Foo=1');
