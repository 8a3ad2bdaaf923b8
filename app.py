"""genoviz dashboard entry point: ``streamlit run app.py``."""

from __future__ import annotations

import streamlit as st

from pages._keep import keep_widget_values

st.set_page_config(page_title="genoviz", page_icon=":material/genetics:", layout="wide")

page = st.navigation(
    [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/data.py", title="Data", icon=":material/dataset:"),
        st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
        st.Page("pages/predict.py", title="Predict", icon=":material/online_prediction:"),
        st.Page("pages/interpret.py", title="Interpret", icon=":material/biotech:"),
        st.Page("pages/motifs.py", title="Motifs", icon=":material/pattern:"),
        st.Page("pages/attention.py", title="Attention", icon=":material/visibility:"),
        st.Page("pages/embeddings.py", title="Embeddings", icon=":material/scatter_plot:"),
        st.Page("pages/zoo.py", title="Zoo", icon=":material/pets:"),
        st.Page("pages/runs.py", title="Runs", icon=":material/history:"),
        st.Page("pages/lesson.py", title="Lesson", icon=":material/school:"),
    ]
)
keep_widget_values(st.session_state)  # settings survive a visit to another page
page.run()
