"""Tests of prompts/: prompt styles, layouts, languages, detection, segmentation."""
