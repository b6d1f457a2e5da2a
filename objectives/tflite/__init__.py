"""A TFLite file from end to end: conversion (float32, full-int8), the metadata an app reads, the int8 probe
behind the device budgets, and verification against Keras with LiteRT, the runtime phones use."""
